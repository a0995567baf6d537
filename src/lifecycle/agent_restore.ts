/**
 * Recovery after a restart (issue 21): the node serves as soon as the store is
 * open. No agent row is read for its own sake: each agent is adopted on its
 * first touch (a message, a timer, an API call) as it was — running ones run,
 * without an instance until work comes. Only the few rows that need acting on
 * are read, each by index: an agent caught mid-stop is Stopped, one caught
 * mid-reload runs its newest version, `keepAlive` agents are activated in the
 * background, and capabilities go back into the directory in the background
 * (directory_refill.ts). Redeliveries and due timers then reach their agents
 * first, through the router.
 */
import type { AgentTable } from "./agent_table.ts";
import { isReloadCause } from "./hot_reload.ts";
import { refillDirectory } from "./directory_refill.ts";

/** Acts on the stored agents that need it; returns how many agents the store holds and the names that could not be restored. */
export function restoreAgents(agents: AgentTable): { restored: number; failed: string[] } {
  const lookups = agents.deps.store.agents.lookups;
  const failed: string[] = [];
  for (const record of lookups.inState("draining")) {
    const live = agents.find(record.name)!;
    // The cause is data written with the move (rows from before it: migration 6 converted them).
    const wasReloading = isReloadCause(
      agents.deps.store.agents.transitions(record.id).at(-1)?.cause,
    );
    try {
      if (wasReloading) {
        // The process restarted, not the agent: it keeps its state and comes back as it was.
        agents.transition(
          live,
          "running",
          `reload interrupted by a restart; version ${record.version} kept`,
        );
        agents.run(live);
      } else {
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
  const directory = agents.deps.directory;
  if (directory) agents.stopRefill = refillDirectory(agents.deps.store, directory);
  for (const record of lookups.keptAlive()) {
    if (record.state !== "running") continue;
    void agents.activation.activate(agents.find(record.name)!);
  }
  agents.activation.start();
  agents.scaler.start();
  return { restored: lookups.count(), failed };
}
