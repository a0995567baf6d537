/**
 * Recovery after a restart: brings back the agents of a node from the store.
 * Running ones run again with their state; an agent caught mid-reload runs
 * its newest version; one caught mid-stop is Stopped.
 */
import type { AgentTable } from "./agent_table.ts";
import { isReloadCause } from "./hot_reload.ts";

/** Restores every stored agent; returns how many run again and the names that could not. */
export async function restoreAgents(
  agents: AgentTable,
): Promise<{ restored: number; failed: string[] }> {
  const store = agents.deps.store;
  let restored = 0;
  const failed: string[] = [];
  for (const record of store.agents.list()) {
    const live = agents.adopt(record);
    // The cause is data written with the move (rows from before it: migration 6 converted them).
    const wasReloading = record.state === "draining" &&
      isReloadCause(store.agents.transitions(record.id).at(-1)?.cause);
    try {
      if (record.state === "running" || wasReloading || record.state === "loaded") {
        // The process restarted, not the agent: it keeps its state and comes back as it was.
        await agents.instantiate(live);
        store.agents.recordEvent(record.id, "restored", "restored after restart");
        if (record.state === "draining") {
          agents.transition(
            live,
            "running",
            `reload interrupted by a restart; version ${record.version} kept`,
          );
        }
        if (live.record.state === "running") agents.run(live);
        restored++;
      } else if (record.state === "draining") {
        agents.transition(live, "stopped", "stop completed at restart");
      }
    } catch (error) {
      failed.push(record.name);
      agents.log.log("error", "agent could not be restored", {
        "caxton.agent.name": record.name,
        error: (error as Error).message,
      });
    }
  }
  return { restored, failed };
}
