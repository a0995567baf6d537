/**
 * Messages across nodes over a real nats-server: a REST request on one node
 * reaches an agent on another and its reply comes back, in one trace; an
 * agent whose node was killed gets the sender `node_unreachable`.
 */
import assert from "node:assert/strict";
import { parseTraceparent } from "../../src/acl/mod.ts";
import { agentBytes } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { type ClusterNode, startClusterNode, startNats } from "../_support/nats.ts";

const CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

async function deployEcho(node: ClusterNode, name: string): Promise<void> {
  const res = await call(`${node.api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

/** A synchronous request through `node`'s REST API. */
function request(node: ClusterNode, agent: string, body: unknown, headers = {}) {
  return call(`${node.api}/agents/${agent}/request?timeout=10000`, {
    method: "POST",
    headers,
    json: body,
  });
}

/** Like {@linkcode request}, once `node`'s registry copy (kept by a watch) knows `agent`. */
async function firstRequest(node: ClusterNode, agent: string, body: unknown, headers = {}) {
  for (let i = 0;; i++) {
    const res = await request(node, agent, body, headers);
    if (res.status !== 404 || i === 200) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("ping-pong across nodes: a request on node A is answered by an echo agent on node B, in the caller's trace", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await deployEcho(b, "echo-b");
  const res = await firstRequest(a, "echo-b", { content: "ping", conversationId: "across" }, {
    traceparent: CALLER,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.content, "ping");
  assert.equal(res.body.sender, "echo-b");
  assert.equal(res.body.conversationId, "across");
  assert.equal(parseTraceparent(res.body.traceparent)?.traceId, CALLER.slice(3, 35));
  // B's log holds both legs: the request in from A's broker, the reply out to it, one trace.
  const aId = (await call(`${a.api}/cluster`)).body.self;
  const conversation = await call(`${b.api}/conversations/across`);
  assert.equal(conversation.status, 200, JSON.stringify(conversation.body));
  const rows = conversation.body.messages as {
    receiver: string;
    message: { sender: string; traceparent: string };
  }[];
  assert.deepEqual(rows.map((r) => [r.message.sender, r.receiver]), [
    [`ext:_api@${aId}`, "echo-b"],
    ["echo-b", `ext:_api@${aId}`],
  ]);
  for (const row of rows) {
    assert.equal(parseTraceparent(row.message.traceparent)?.traceId, CALLER.slice(3, 35));
  }
});

Deno.test("many requests across nodes in parallel are all answered (micro-batched both ways)", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await deployEcho(b, "echo-b");
  assert.equal((await firstRequest(a, "echo-b", { content: "first" })).status, 200);
  const texts = Array.from({ length: 200 }, (_, i) => `m${i}`);
  const answers = await Promise.all(texts.map((content) => request(a, "echo-b", { content })));
  assert.deepEqual(answers.map((r) => r.body.content), texts);
});

Deno.test("a message to an agent on a killed node gets failure node_unreachable, not a hang", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await deployEcho(b, "echo-b");
  assert.equal((await firstRequest(a, "echo-b", { content: "before" })).status, 200);
  await b.kill();
  // At once: NATS knows nobody listens on B's subject; the failure comes back as the reply.
  const started = Date.now();
  const after = await request(a, "echo-b", { content: "after" });
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.equal(after.body.performative, "failure");
  assert.equal(after.body.content.code, "node_unreachable");
  assert.match(after.body.content.reason, /node "node-b" cannot be reached/);
  console.log(`node_unreachable after ${Date.now() - started} ms`);
  // Once membership calls B gone, the router refuses before sending: a 503 problem.
  for (let i = 0;; i++) {
    const refused = await request(a, "echo-b", { content: "later" });
    if (refused.status === 503 || i === 300) {
      assertProblem(refused, 503, "node_unreachable");
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
});

Deno.test("a node that stops answering (SIGSTOP): the sender gets node_unreachable after the configured wait", async () => {
  await using nats = await startNats();
  const dir = Deno.makeTempDirSync({ prefix: "caxton-config-" });
  try {
    const config = `${dir}/caxton.json`;
    Deno.writeTextFileSync(config, JSON.stringify({ cluster: { unreachableMs: 300 } }));
    await using a = await startClusterNode(nats.url, "node-a", { args: ["--config", config] });
    await using b = await startClusterNode(nats.url, "node-b");
    await deployEcho(b, "echo-b");
    assert.equal((await firstRequest(a, "echo-b", { content: "before" })).status, 200);
    b.process.kill("SIGSTOP");
    try {
      const after = await request(a, "echo-b", { content: "frozen" });
      assert.equal(after.body.performative, "failure", JSON.stringify(after.body));
      assert.equal(after.body.content.code, "node_unreachable");
      assert.match(after.body.content.reason, /no acknowledgement within 300 ms/);
    } finally {
      b.process.kill("SIGCONT");
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("backpressure across nodes: a full mailbox on node B answers senders on node A with failure mailbox_full", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b", {
    env: { CAXTON_MAILBOX_CAPACITY: "2" },
  });
  // A slow sink: each request is a sieve that keeps it busy (fuel well within its deadline).
  const sink = await call(`${b.api}/agents/sink?limits.fuelPerMessage=10000000000`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("compute_as"),
  });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  assert.equal((await firstRequest(a, "sink", { content: "10" })).status, 200);
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => request(a, "sink", { content: "3000000" })),
  );
  const refused = answers.filter((r) => r.body.performative === "failure");
  assert.ok(refused.length > 0, "some were refused");
  for (const r of refused) {
    assert.equal(r.body.content.code, "mailbox_full", JSON.stringify(r.body));
  }
  for (const r of answers.filter((r) => r.body.performative !== "failure")) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.sender, "sink");
  }
  console.log(`${refused.length}/8 refused mailbox_full, the rest answered`);
});
