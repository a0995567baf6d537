/** The node a fuzz run starts from, shared by the test and `deno task fuzz`. */
import { deploy } from "../api_node.ts";
import { agentBytes } from "../node.ts";

/** Names the fuzzer uses often as path parameters, so requests reach real resources. */
export const KNOWN = ["echo", "fuzz-p", "ext:fuzz-p"] as const;

/** Valid modules for deploy bodies: echo and counter in WAT, and one whose start function never returns. */
export function fuzzModules(): Uint8Array[] {
  return [agentBytes("echo_wat"), agentBytes("counter_wat"), agentBytes("start_never_returns")];
}

/** Puts the fuzz run's known names in place: agent "echo" running, participant "fuzz-p". */
export async function replenish(api: string): Promise<void> {
  const agent = await fetch(`${api}/agents/echo`);
  const state = agent.ok ? (await agent.json()).state : null;
  if (!agent.ok) await agent.body?.cancel();
  if (state === null) await deploy(api, "echo", "echo_wat");
  else if (state !== "running") {
    await fetch(`${api}/agents/echo/start`, { method: "POST" }).then((r) => r.body?.cancel());
  }
  const participant = await fetch(`${api}/participants/fuzz-p`);
  await participant.body?.cancel();
  if (!participant.ok) {
    await fetch(`${api}/participants/fuzz-p`, { method: "PUT" }).then((r) => r.body?.cancel());
  }
}
