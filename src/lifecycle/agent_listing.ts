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
 * cursor of the next page or null. Read from the store by index, adopting
 * none: costs the rows read, not the number of agents (issue 21).
 */
export function pageAgents(
  agents: AgentTable,
  query: AgentQuery,
): { items: AgentView[]; next: string | null } {
  const limit = query.limit ?? 100;
  const items: AgentView[] = [];
  const lookups = agents.deps.store.agents.lookups;
  // One row more than the page: whether there is a next page.
  const batch = limit + 1;
  let after = query.after;
  for (;;) {
    const records = lookups.page({ ...query, after, limit: batch });
    for (const record of records) {
      // The store matches capabilities by text; the exact name is checked here.
      if (query.capability !== undefined && !record.capabilities.includes(query.capability)) {
        continue;
      }
      if (items.length === limit) return { items, next: items.at(-1)!.name };
      items.push(agents.viewOf(record));
    }
    if (records.length < batch) return { items, next: null };
    after = records.at(-1)!.name;
  }
}
