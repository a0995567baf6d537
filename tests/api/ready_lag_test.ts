/**
 * /ready is honest about the main thread (issue 13 item 5): while its event
 * loop runs late at every look for saturationMs — routing, outcomes and HTTP
 * all wait — the node says `degraded` and how late, and `ready` once it keeps
 * time again.
 */
import assert from "node:assert/strict";
import { startApiNode } from "../_support/api_node.ts";
import { until } from "../_support/node.ts";

type _Readiness = { status: string; checks: Record<string, string> };

async function readiness(url: string): Promise<_Readiness> {
  return await (await fetch(`${url}/ready`)).json();
}

Deno.test("/ready says degraded while the main thread's event loop lags, ready once it keeps time", async () => {
  await using n = await startApiNode({ saturationMs: 300 });
  assert.equal((await readiness(n.url)).status, "ready");
  // The node runs in this process: 80 ms tasks back to back make its event loop late.
  let hogging = true;
  const hog = (async () => {
    while (hogging) {
      const task = performance.now() + 80;
      while (performance.now() < task) { /* busy, as a long slice of work would be */ }
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  let seen: _Readiness | undefined;
  try {
    await until(async () => {
      seen = await readiness(n.url);
      return seen.status === "degraded";
    }, "/ready to say degraded while the loop lags");
  } finally {
    hogging = false;
    await hog;
  }
  assert.match(seen!.checks.eventLoop ?? "", /^lagging \d+ ms for \d+ ms$/);
  await until(async () => (await readiness(n.url)).status === "ready", "/ready to recover");
  assert.equal((await readiness(n.url)).checks.eventLoop, undefined);
});
