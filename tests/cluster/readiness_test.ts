/**
 * NATS gone: the node says `degraded` on /ready and keeps serving its own
 * agents; a new name cannot be claimed, so a deploy is refused with 503.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";

Deno.test("NATS unreachable: /ready says degraded, local requests are still answered, a new deploy gets 503", async () => {
  await using nats = await startNats();
  await using node = await startClusterNode(nats.url, "node-a");
  const deploy = (name: string) =>
    call(`${node.api}/agents/${name}`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
  assert.equal((await deploy("echo")).status, 201);
  const before = await call(`${node.url}/ready`);
  assert.equal(before.body.status, "ready");
  assert.equal(before.body.checks.cluster, "ok");

  nats.process.kill("SIGKILL");
  await nats.process.status;
  let ready = await call(`${node.url}/ready`);
  for (let i = 0; ready.body.status !== "degraded" && i < 500; i++) {
    await new Promise((r) => setTimeout(r, 20));
    ready = await call(`${node.url}/ready`);
  }
  assert.equal(ready.status, 200, "degraded still serves");
  assert.equal(ready.body.status, "degraded");
  assert.equal(ready.body.checks.cluster, "nats_unreachable");

  const answer = await call(`${node.api}/agents/echo/request`, {
    method: "POST",
    json: { content: "still here" },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.content, "still here");
  assertProblem(await deploy("newcomer"), 503, "cluster_unavailable");
});
