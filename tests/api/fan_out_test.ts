import assert from "node:assert/strict";
import { printFipaString } from "../../src/acl/mod.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";

async function register(api: string, name: string): Promise<void> {
  const res = await call(`${api}/participants/${name}`, { method: "PUT" });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

Deno.test("a request naming the same receiver 5,000 times is delivered, logged and answered once", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "alice");
  const sent = await call(`${n.api}/participants/alice/messages`, {
    method: "POST",
    json: {
      performative: "request",
      receiver: Array(5_000).fill("echo"),
      content: "once",
      conversationId: "dup",
    },
  });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  assert.deepEqual(sent.body, { delivered: 1, refused: [] });
  const polled = await call(`${n.api}/participants/alice/messages?wait=5000`);
  assert.deepEqual(polled.body.items.map((m: { content: string }) => m.content), ["once"]);
  // Routing is synchronous: every delivery of the request was logged before echo answered.
  await n.node.router.flushLog();
  const toEcho = n.node.store.messages.byConversation("dup").filter((r) => r.receiver === "echo");
  assert.equal(toEcho.length, 1, "one delivery row");
  assert.deepEqual(toEcho[0]!.message.receiver, ["echo"], "stored with the distinct receivers");
});

Deno.test("a message over the receiver cap gets 413 problem+json, as JSON or FIPA string, and goes nowhere", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "alice");
  const names = ["echo", ...Array.from({ length: 64 }, (_, i) => `x${i}`)];
  const json = await call(`${n.api}/messages`, {
    method: "POST",
    json: { performative: "inform", sender: "ext:alice", receiver: names, conversationId: "over" },
  });
  assertProblem(json, 413, "too_many_receivers");
  assert.equal(json.body.limit, 64);
  assert.equal(json.body.receivers, 65);
  assert.match(json.body.detail, /65 distinct receivers/);
  assert.match(json.body.remedy, /maxReceivers/);
  const fipa = await call(`${n.api}/participants/alice/messages`, {
    method: "POST",
    headers: { "content-type": "text/fipa-acl" },
    body: printFipaString({ performative: "inform", receiver: names, conversationId: "over" }),
  });
  assertProblem(fipa, 413, "too_many_receivers");
  // Repeats count once: 64 distinct names given 130 times are within the cap.
  const repeated = await call(`${n.api}/participants/alice/messages`, {
    method: "POST",
    json: {
      performative: "inform",
      receiver: [...names.slice(0, 64), ...names.slice(0, 64), "echo", "echo"],
      conversationId: "at-cap",
    },
  });
  assert.equal(repeated.status, 202, JSON.stringify(repeated.body));
  assert.equal(repeated.body.delivered + repeated.body.refused.length, 64);
  await n.node.router.flushLog();
  assert.deepEqual(n.node.store.messages.byConversation("over"), [], "nothing of it was logged");
  const atCap = n.node.store.messages.byConversation("at-cap");
  assert.equal(atCap.filter((r) => r.receiver === "echo").length, 1, "echo's one delivery");
});

Deno.test("maxReceivers sets the cap", async () => {
  await using n = await startApiNode({ maxReceivers: 2 });
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "alice");
  const send = (receiver: string[]) =>
    call(`${n.api}/participants/alice/messages`, {
      method: "POST",
      json: { performative: "inform", receiver },
    });
  const over = await send(["echo", "b", "c"]);
  assertProblem(over, 413, "too_many_receivers");
  assert.equal(over.body.limit, 2);
  const within = await send(["echo", "b", "echo", "b"]);
  assert.equal(within.status, 202, JSON.stringify(within.body));
  assert.equal(within.body.delivered, 1);
  assert.deepEqual(within.body.refused.map((r: { receiver: string }) => r.receiver), ["b"]);
});
