/**
 * Any node's API reaches any agent of the cluster: operations on an agent
 * that lives on another node are forwarded to that node.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { type ClusterNode, startClusterNode, startNats } from "../_support/nats.ts";

/** Polls `fn` until its answer has `status`. */
async function eventually(fn: () => ReturnType<typeof call>, status: number) {
  let res = await fn();
  for (let i = 0; res.status !== status && i < 500; i++) {
    await new Promise((r) => setTimeout(r, 20));
    res = await fn();
  }
  return res;
}

async function deployEcho(node: ClusterNode): Promise<void> {
  const res = await call(`${node.api}/agents/echo`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201);
}

Deno.test("get, stop, start, history and remove of an agent on node B, asked of node A", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await deployEcho(b);
  const got = await eventually(() => call(`${a.api}/agents/echo`), 200);
  assert.equal(got.body.name, "echo");
  assert.equal(got.body.state, "running");
  const stopped = await call(`${a.api}/agents/echo/stop`, { method: "POST" });
  assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
  assert.equal((await call(`${b.api}/agents/echo`)).body.state, "stopped", "stopped on B itself");
  assert.equal(
    (await call(`${a.api}/agents/echo/start`, { method: "POST" })).body.state,
    "running",
  );
  const history = await call(`${a.api}/agents/echo/history`);
  assert.ok(history.body.transitions.length >= 4, JSON.stringify(history.body));
  assert.equal((await call(`${a.api}/agents/echo`, { method: "DELETE" })).status, 204);
  assertProblem(await call(`${b.api}/agents/echo`), 404, "agent_not_found");
  // The name is free again: A may now take it.
  await eventually(() => call(`${a.api}/agents/echo`), 404);
  await deployEcho(a);
});

Deno.test("an operation on an agent of a killed node gets 503 node_unreachable naming the node", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await deployEcho(b);
  await eventually(() => call(`${a.api}/agents/echo`), 200);
  await b.kill();
  const refused = await eventually(() => call(`${a.api}/agents/echo`), 503);
  assertProblem(refused, 503, "node_unreachable");
  assert.equal(refused.body.node, "node-b");
});
