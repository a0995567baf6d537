/**
 * Recovery after a restart: brings back the agents of a node from the store.
 * Running ones run again with their state; an agent caught mid-reload runs
 * its newest version; one caught mid-stop is Stopped. No instance is made
 * here (issue 21): an agent is activated by its first message — redeliveries
 * from the log first — and only `keepAlive` agents are activated at once, in
 * the background, so the node is ready in a time independent of its agents.
 */
import type { AgentTable } from "./agent_table.ts";
import { isReloadCause } from "./hot_reload.ts";

/** Restores every stored agent; returns how many run again and the names that could not. */
export function restoreAgents(agents: AgentTable): { restored: number; failed: string[] } {
  const store = agents.deps.store;
  let restored = 0;
  const failed: string[] = [];
  const keepAlive = [];
  for (const record of store.agents.each()) {
    const live = agents.adopt(record);
    // The cause is data written with the move (rows from before it: migration 6 converted them).
    const wasReloading = record.state === "draining" &&
      isReloadCause(store.agents.transitions(record.id).at(-1)?.cause);
    try {
      if (record.state === "running" || wasReloading) {
        // The process restarted, not the agent: it keeps its state and comes back as it was.
        if (wasReloading) {
          agents.transition(
            live,
            "running",
            `reload interrupted by a restart; version ${record.version} kept`,
          );
        }
        agents.run(live);
        if (record.keepAlive) keepAlive.push(live);
        restored++;
      } else if (record.state === "loaded") {
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
  for (const live of keepAlive) void agents.activation.activate(live);
  agents.activation.start();
  agents.scaler.start();
  return { restored, failed };
}
