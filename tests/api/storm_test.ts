/**
 * One agent's storm must not starve its neighbours: while an agent sends to
 * itself as fast as the node accepts, echo agents in the same worker and in
 * the other worker still answer REST requests, a request's `?timeout` still
 * fires on time, and `/ready` says `degraded` while the storm's worker is
 * saturated and `ready` once it drains. Both with the message log (every
 * message through the main thread) and without it (direct delivery inside
 * the worker).
 */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { until } from "../_support/node.ts";
import { stormAgent } from "../_support/storm.ts";

async function requestEcho(api: string, agent: string, timeoutMs: number) {
  const started = performance.now();
  const res = await fetch(`${api}/agents/${agent}/request?timeout=${timeoutMs}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: "hello" }),
  });
  const body = await res.json();
  return { status: res.status, body, ms: performance.now() - started };
}

type _Readiness = { status: string; saturated: { worker: number }[] };

async function readiness(url: string): Promise<_Readiness> {
  const res = await fetch(`${url}/ready`);
  return await res.json();
}

/** Polls /ready until it says `status`; returns what it said last (the caller asserts). */
async function readinessOnce(url: string, status: string, ms = 30_000): Promise<_Readiness> {
  const end = Date.now() + ms;
  let ready = await readiness(url);
  while (ready.status !== status && Date.now() < end) ready = await readiness(url);
  return ready;
}

for (const messageLog of ["log", "none"] as const) {
  Deno.test(`messageLog ${messageLog}: during a storm, echoes in both workers answer, timeouts fire on time, /ready is degraded until it drains`, async () => {
    // A deep mailbox lets the storm queue far more work than a request's timeout covers.
    await using n = await startApiNode({
      messageLog,
      mailboxCapacity: 200_000,
      saturationBacklog: 2_000,
      saturationMs: 200,
    });
    const storm = await fetch(`${n.api}/agents/storm`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: stormAgent("storm", 2),
    });
    await storm.body?.cancel();
    assert.equal(storm.status, 201);
    await deploy(n.api, "echo-other", "echo_wat");
    await deploy(n.api, "echo-same", "echo_wat");
    const agents = n.node.agents;
    const stormWorker = agents.get("storm").worker;
    assert.equal(agents.get("echo-same").worker, stormWorker);
    assert.notEqual(agents.get("echo-other").worker, stormWorker);
    assert.equal((await readiness(n.url)).status, "ready");

    n.node.router.route({
      performative: "inform",
      sender: "ext:starter",
      receiver: ["storm"],
      content: "go",
    });
    // Saturated: the storm's worker has stayed far behind for saturationMs.
    await until(
      () => agents.get("storm").counters.handled > 20_000,
      "the storm to get going",
      60_000,
    );
    const ready = await readinessOnce(n.url, "degraded");
    assert.equal(ready.status, "degraded");
    assert.deepEqual(ready.saturated.map((s) => s.worker), [stormWorker]);

    for (let i = 0; i < 5; i++) {
      for (const echo of ["echo-same", "echo-other"]) {
        const answer = await requestEcho(n.api, echo, 1_000);
        assert.equal(answer.status, 200, `${echo}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.content, "hello");
      }
      // The storm never answers: its request times out, on time.
      const timedOut = await requestEcho(n.api, "storm", 200);
      assert.equal(timedOut.status, 504);
      // Generous: this checks that the clock fires while the storm runs (before, such
      // 504s came seconds late or never), on a shared machine, not how fast.
      assert.ok(timedOut.ms < 200 + 1_000, `504 after ${Math.round(timedOut.ms)} ms`);
    }

    // Once the storm is gone and its worker drained, ready again.
    await agents.remove("storm");
    assert.equal((await readinessOnce(n.url, "ready")).status, "ready");
  });
}
