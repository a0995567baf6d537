/**
 * /ready is honest about the main thread (issue 13 item 5): while its event
 * loop runs late at every look for saturationMs — routing, outcomes and HTTP
 * all wait — the node says `degraded` and how late, and `ready` once it keeps
 * time again.
 */
import assert from "node:assert/strict";
import { defaultSchedulingConfig } from "../../src/config/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { until } from "../_support/node.ts";

type _Readiness = { status: string; checks: Record<string, string> };

async function readiness(url: string): Promise<_Readiness> {
  return await (await fetch(`${url}/ready`)).json();
}

/** Keeps this thread (the node's) busy in `taskMs` tasks back to back until `stop` resolves. */
function hog(taskMs: number): { stop: () => Promise<void> } {
  let hogging = true;
  const running = (async () => {
    while (hogging) {
      const task = performance.now() + taskMs;
      while (performance.now() < task) { /* busy, as a long slice of work would be */ }
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  return {
    stop: () => {
      hogging = false;
      return running;
    },
  };
}

Deno.test("/ready says degraded while the main thread's event loop lags, ready once it keeps time", async () => {
  await using n = await startApiNode({ saturationMs: 300 });
  assert.equal((await readiness(n.url)).status, "ready");
  // The node runs in this process: 80 ms tasks back to back make its event loop late.
  const hogging = hog(80);
  let seen: _Readiness | undefined;
  try {
    await until(async () => {
      seen = await readiness(n.url);
      return seen.status === "degraded";
    }, "/ready to say degraded while the loop lags");
  } finally {
    await hogging.stop();
  }
  assert.match(seen!.checks.eventLoop ?? "", /^lagging \d+ ms for \d+ ms$/);
  await until(async () => (await readiness(n.url)).status === "ready", "/ready to recover");
  assert.equal((await readiness(n.url)).checks.eventLoop, undefined);
});

Deno.test("the lag /ready reports is scheduling.eventLoopMaxLagMs: under it, still ready", async () => {
  // 80 ms tasks are ~80 ms of lag: degraded at the default 50 (above), not at 500.
  await using n = await startApiNode({
    saturationMs: 300,
    scheduling: { ...defaultSchedulingConfig(), eventLoopMaxLagMs: 500 },
  });
  const hogging = hog(80);
  const seen: string[] = [];
  try {
    // Three times saturationMs of lag: the default threshold says degraded well within it.
    const end = performance.now() + 900;
    while (performance.now() < end) seen.push((await readiness(n.url)).status);
  } finally {
    await hogging.stop();
  }
  assert.ok(seen.length > 0);
  assert.deepEqual(seen.filter((s) => s !== "ready"), []);
});
