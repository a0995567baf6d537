/**
 * Instance pools (docs/POOLS.md): an agent deployed with `instances: N > 1`
 * runs N stateless members in different workers behind its one name and
 * mailbox. The mailbox hands messages out in turn; every message of a
 * conversation goes to the same member (a hash of its `conversationId`, so a
 * conversation keeps its member across reconnects and reloads of the same size).
 *
 * Members are stateless: `state_set`, `state_delete`, `set_timer` and
 * `cancel_timer` return -5 (refused). N copies each writing its own state
 * would diverge, and serialising every write through the main thread would
 * take back the parallelism the pool is for. Reads see the agent's state as
 * it was when the members were loaded, plus the read-only key `caxton.member`
 * (the member's index, "0" to "N-1").
 */
import type { Envelope } from "../router/mod.ts";
import type { AgentLimits, Effects, Isolation, LoadSpec, WorkerPool } from "../runtime/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import { deliverEnvelope } from "./agent_endpoint.ts";
import type { AgentTable } from "./agent_table.ts";
import type { LiveAgent } from "./live_agent.ts";
import { isPooled } from "./pool_size.ts";

/** The read-only state key a pool member finds its index under. */
export const MEMBER_KEY = "caxton.member";

const _utf8 = new TextEncoder();

/** What a load made: the instances, and the init effects the node applies (the first's). */
export interface LoadedInstances {
  instanceIds: number[];
  effects: Effects;
}

/** A member as the agent view shows it. */
export interface MemberView {
  /** Which worker hosts it (an index for shared, -1 for dedicated). */
  worker: number | null;
  handled: number;
}

/**
 * Loads what `live` runs: one instance, or its pool's members, one per worker
 * in turn. Every member runs `caxton_init`; only the first one's effects are
 * applied (the others would repeat its sends). If one member fails to load,
 * the others are unloaded and the error is thrown.
 */
export async function loadInstances(
  agents: AgentTable,
  live: LiveAgent,
  module: WebAssembly.Module,
  limits: AgentLimits,
  isolation: Isolation,
): Promise<LoadedInstances> {
  const spec = { agentName: live.record.name, module, limits, isolation };
  if (!isPooled(live.record)) {
    const state = agents.deps.store.state.load(live.record.id);
    const { instanceId, effects } = await agents.deps.pool.load({ ...spec, state });
    return { instanceIds: [instanceId], effects };
  }
  // A pool (re)starts with its least members; the node grows it from there.
  const loads = Array.from(
    { length: live.record.instances },
    (_, i) => loadMember(agents, live, i, spec),
  );
  const settled = await Promise.allSettled(loads);
  const failure = settled.find((r) => r.status === "rejected");
  if (failure) {
    for (const r of settled) {
      if (r.status === "fulfilled") agents.deps.pool.unload(r.value.instanceId);
    }
    throw failure.reason;
  }
  const loaded = settled.map((r) => (r as PromiseFulfilledResult<{ instanceId: number }>).value);
  return {
    instanceIds: loaded.map((l) => l.instanceId),
    effects: (settled[0] as PromiseFulfilledResult<{ effects: Effects }>).value.effects,
  };
}

/**
 * Loads member `index` of the pool `live` (stateless, its state as stored plus
 * its index). Pools of different agents start on different workers.
 */
export function loadMember(
  agents: AgentTable,
  live: LiveAgent,
  index: number,
  spec: Omit<LoadSpec, "state"> = {
    agentName: live.record.name,
    module: live.module!,
    limits: live.record.limits,
    isolation: live.record.isolation,
  },
): Promise<{ instanceId: number; effects: Effects }> {
  const state = agents.deps.store.state.load(live.record.id);
  state.set(MEMBER_KEY, _utf8.encode(String(index)));
  return agents.deps.pool.load({
    ...spec,
    state,
    stateless: true,
    worker: live.record.id + index,
  });
}

/** Makes `loaded` the instances of `live` (it has none now) and applies their init effects. */
export function takeInstances(agents: AgentTable, live: LiveAgent, loaded: LoadedInstances): void {
  const ids = loaded.instanceIds;
  live.instanceId = ids[0]!;
  live.members = isPooled(live.record)
    ? ids.map((instanceId) => ({ instanceId, handled: 0 }))
    : null;
  for (const id of ids) agents.byInstance.set(id, live);
  agents.effects.apply(live, loaded.effects);
}

/** Every instance id of `live`: its members, its one instance, or none. */
export function instanceIdsOf(live: LiveAgent): number[] {
  if (live.members) return live.members.map((m) => m.instanceId);
  return live.instanceId === null ? [] : [live.instanceId];
}

/** Counts a message a member handled or failed. */
export function countMember(live: LiveAgent, instanceId: number): void {
  const member = live.members?.find((m) => m.instanceId === instanceId);
  if (member) member.handled++;
}

/** The members of a pooled agent for its view; undefined for a plain agent. */
export function memberViews(live: LiveAgent, pool: WorkerPool): MemberView[] | undefined {
  return live.members?.map((m) => ({
    worker: pool.workerOf(m.instanceId) ?? null,
    handled: m.handled,
  }));
}

/**
 * Delivers what the mailbox releases to the members: a conversation to the
 * member its id hashes to, a message outside any conversation to the next in turn.
 */
export function poolSink(live: LiveAgent, pool: WorkerPool, telemetry?: Telemetry) {
  const ids = instanceIdsOf(live);
  let turn = 0;
  return (seq: number, envelope: Envelope) => {
    const conversation = envelope.message.conversationId;
    const index = conversation === undefined
      ? turn++ % ids.length
      : _fnv1a(conversation) % ids.length;
    return deliverEnvelope(pool, ids[index]!, seq, envelope, telemetry);
  };
}

/** FNV-1a over UTF-16 code units: cheap, and stable across runs and nodes. */
function _fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
