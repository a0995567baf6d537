/** Runs a node fixture in a child process and kills it (-9) once its output says enough happened. */
import assert from "node:assert/strict";

/**
 * Starts `deno run <fixture> <args>`, reads its stdout until `enough(output)`
 * or `timeoutMs`, then sends SIGKILL. Returns everything it printed.
 */
export async function killUnderLoad(
  fixture: string,
  args: string[],
  enough: (output: string) => boolean,
  timeoutMs = 20_000,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-all", fixture, ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let output = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + timeoutMs;
  while (!enough(output) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  child.kill("SIGKILL");
  const status = await child.status;
  await reader.cancel();
  assert.equal(status.signal, "SIGKILL", "the node was killed, not stopped");
  return output;
}
