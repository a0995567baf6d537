/**
 * On a terminal, `caxton agent deploy … --strategy` follows its rollout live:
 * each step as it happens, until the rollout ends. The CLI runs under
 * `script` (util-linux), so its stdout and stderr are a real pty; the same
 * command with pipes returns at once with the rollout still under way.
 */
import assert from "node:assert/strict";
import { cliArgs, runCliWith } from "../_support/process.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";

const MODULE = new URL("../../build/agents/trap_once.wasm", import.meta.url).pathname;
const ARGS = ["agent", "deploy", "svc", MODULE, "--strategy", "bluegreen", "--grace", "2s"];

/** Runs `caxton <args>` on a pseudo-terminal; returns its exit code and what the terminal showed. */
async function runCliOnPty(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; screen: string }> {
  const line = [Deno.execPath(), ...cliArgs(...args)].map((a) => `'${a}'`).join(" ");
  const { code, stdout } = await new Deno.Command("script", {
    args: ["-q", "-e", "-c", line, "/dev/null"],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, screen: new TextDecoder().decode(stdout).replaceAll("\r\n", "\n") };
}

Deno.test("on a terminal a blue-green deploy shows its switch, then its retirement, live, and returns when it ends", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "svc", "echo_wat");
  const env = { CAXTON_SERVER: n.url, NO_COLOR: "1" };
  const live = await runCliOnPty(env, ...ARGS, "--sample", "0");
  assert.equal(live.code, 0, live.screen);
  const switched = live.screen.search(/\d\d:\d\d:\d\d switch share 100%/);
  const retired = live.screen.search(/\d\d:\d\d:\d\d retire share 100%/);
  assert.ok(switched >= 0 && retired > switched, live.screen);
  assert.match(live.screen, /bluegreen, completed, share 100%/);
  // Through pipes: no live lines, and it returns while the old version is still warm.
  const piped = await runCliWith({ env }, ...ARGS, "--sample", "0");
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /bluegreen, switched, share 100%/);
  assert.doesNotMatch(piped.stdout + piped.stderr, /retire share/);
});
