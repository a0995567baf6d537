/**
 * Hot reload: swaps a running agent to a new version. New messages queue
 * while the old instance finishes what it holds, then the new one takes the
 * mailbox. No message is lost, none is handled twice.
 */
import type { AgentLimits, Isolation } from "../runtime/mod.ts";
import type { TransitionCause } from "../store/mod.ts";
import type { AgentTable, AgentView } from "./agent_table.ts";
import type { LiveAgent } from "./live_agent.ts";
import { takeInstances } from "./instance_pool.ts";

/** The cause of a move to draining for a hot reload to `version` (STYLE rule 19). */
export type ReloadCause = { kind: "reload"; version: number };

/** Whether a recorded cause is a hot reload's (restore reads this, never the reason text). */
export function isReloadCause(cause: TransitionCause | null | undefined): cause is ReloadCause {
  return cause?.kind === "reload" && typeof cause.version === "number";
}

/** Reloads `live` (Running) to the module `hash`; a version that cannot load leaves the old one serving. */
export async function hotReload(
  agents: AgentTable,
  live: LiveAgent,
  hash: string,
  module: WebAssembly.Module,
  limits: AgentLimits,
  isolation: Isolation,
  language: string,
): Promise<AgentView> {
  const version = live.record.version + 1;
  const cause: ReloadCause = { kind: "reload", version };
  agents.transition(live, "draining", `reload to version ${version}`, cause);
  await agents.direct.disable(live.instanceId);
  live.mailbox.connect(null);
  await live.mailbox.settled();
  try {
    const next = await agents.startInstance(live, module, limits, isolation);
    agents.deps.store.transaction(() => {
      agents.newVersion(live, hash, limits, isolation, language);
      agents.transition(live, "running", `reloaded to version ${version}`);
    });
    agents.unload(live);
    live.module = module;
    takeInstances(agents, live, next);
  } catch (error) {
    // The old version keeps serving; the deploy is refused.
    agents.transition(live, "running", `reload to version ${version} failed`);
    agents.connect(live);
    throw error;
  }
  agents.connect(live);
  return agents.view(live);
}
