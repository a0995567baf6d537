/**
 * What `/metrics` says about agents with bounded cardinality (issue 21): counts
 * by lifecycle state and by module version, node-wide totals, and per-agent
 * figures for an allowlist plus the N busiest agents with an instance only —
 * so the size of a scrape does not grow with the number of agents.
 */
import { AGENT_STATES } from "./agent_state.ts";
import type { AgentTable } from "./agent_table.ts";
import type { AgentCounters, LiveAgent } from "./live_agent.ts";

/** Agents counted by state and module, and their counters summed. */
export interface AgentCensus {
  byState: Record<string, number>;
  /** Agents per module (first 12 hex digits of its hash) and version. */
  byModule: { module: string; version: number; agents: number }[];
  totals: AgentCounters;
}

/** One agent's figures, for a per-agent series. */
export interface AgentFigures extends AgentCounters {
  name: string;
  state: string;
  mailboxDepth: number;
}

/**
 * Counts every agent: the adopted ones in one pass over plain fields (no views
 * are built), the dormant ones from the store's counts (dormant_census.ts).
 */
export function takeCensus(agents: AgentTable): AgentCensus {
  const byState = countByState(agents);
  const byModule = new Map<string, { module: string; version: number; agents: number }>();
  for (const entry of agents.dormant.byModule()) {
    byModule.set(`${entry.module}\u0000${entry.version}`, { ...entry });
  }
  const totals: AgentCounters = { handled: 0, failed: 0, traps: 0, fuelUsed: 0, sent: 0 };
  for (const live of agents.byName.values()) {
    const { moduleHash, version } = live.record;
    const module = moduleHash.slice(0, 12);
    const key = `${module}\u0000${version}`;
    const entry = byModule.get(key);
    if (entry) entry.agents++;
    else byModule.set(key, { module, version, agents: 1 });
    const c = live.counters;
    totals.handled += c.handled;
    totals.failed += c.failed;
    totals.traps += c.traps;
    totals.fuelUsed += c.fuelUsed;
    totals.sent += c.sent;
  }
  return { byState, byModule: [...byModule.values()], totals };
}

/** Agents by lifecycle state, adopted or dormant (what `/ready` shows). */
export function countByState(agents: AgentTable): Record<string, number> {
  const byState: Record<string, number> = Object.fromEntries(AGENT_STATES.map((s) => [s, 0]));
  for (const [state, n] of agents.dormant.byState()) byState[state] = (byState[state] ?? 0) + n;
  for (const live of agents.byName.values()) {
    const state = live.record.state;
    byState[state] = (byState[state] ?? 0) + 1;
  }
  return byState;
}

/**
 * The agents that get series of their own: those named in `allowlist`, and
 * the `topN` with an instance that handled the most messages.
 */
export function agentsWithSeries(
  agents: AgentTable,
  options: { allowlist?: readonly string[]; topN?: number } = {},
): AgentFigures[] {
  const chosen = new Set<LiveAgent>();
  for (const name of options.allowlist ?? []) {
    const live = agents.find(name);
    if (live) chosen.add(live);
  }
  const topN = options.topN ?? 0;
  if (topN > 0) {
    // Only agents with an instance can be busy now: the cost follows the active ones.
    const busiest: LiveAgent[] = [];
    for (const live of agents.byInstance.values()) {
      busiest.push(live);
      if (busiest.length > topN * 4) _keepTop(busiest, topN);
    }
    for (const live of _keepTop(busiest, topN)) chosen.add(live);
  }
  return [...chosen].map((live) => ({
    name: live.record.name,
    state: live.record.state,
    mailboxDepth: live.mailbox.depth,
    ...live.counters,
  }));
}

function _keepTop(list: LiveAgent[], n: number): LiveAgent[] {
  const work = (live: LiveAgent) => live.counters.handled + live.counters.failed;
  list.sort((a, b) => work(b) - work(a));
  list.length = Math.min(list.length, n);
  return list;
}
