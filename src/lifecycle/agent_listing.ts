/** Agents listed a page at a time, in name order, filtered by state, prefix and capability. */
import type { AgentTable, AgentView } from "./agent_table.ts";

/** What {@linkcode pageAgents} filters by. */
export interface AgentQuery {
  state?: string;
  prefix?: string;
  capability?: string;
  /** The last name of the previous page. */
  after?: string;
  limit?: number;
}

/**
 * One page of agents in name order after the cursor `after`; `next` is the
 * cursor of the next page or null. Costs the names scanned, not the number of
 * agents (issue 21).
 */
export function pageAgents(
  agents: AgentTable,
  query: AgentQuery,
): { items: AgentView[]; next: string | null } {
  const limit = query.limit ?? 100;
  const items: AgentView[] = [];
  for (const name of agents.names.from(query.after ?? "", query.prefix ?? "")) {
    const live = agents.byName.get(name)!;
    if (query.state !== undefined && live.record.state !== query.state) continue;
    if (query.capability !== undefined && !live.record.capabilities.includes(query.capability)) {
      continue;
    }
    if (items.length === limit) return { items, next: items.at(-1)!.name };
    items.push(agents.view(live));
  }
  return { items, next: null };
}
