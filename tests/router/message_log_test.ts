import assert from "node:assert/strict";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("with the log on, deliveries are logged and marked handled; a conversation reads back in order", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  me.send({
    performative: "request",
    receiver: ["echo"],
    content: "a",
    conversationId: "c9",
    replyWith: "r1",
  });
  await me.next((m) => m.inReplyTo === "r1");
  await node.router.flushLog();
  const rows = node.store.messages.byConversation("c9");
  assert.deepEqual(rows.map((r) => [r.message.performative, r.receiver, r.status]), [
    ["request", "echo", "handled"],
    ["inform", me.name, "handled"],
  ]);
});

Deno.test("with the log off, nothing is written", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, messageLog: "none" });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  assert.equal((await me.request("echo", "x")).content, "x");
  await node.router.flushLog();
  assert.equal(node.store.messages.lastId(), 0);
});

Deno.test("a message that nobody can take, not even its sender, is recorded as a dead letter", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  node.router.route({
    performative: "inform",
    sender: "ext:gone",
    receiver: ["nobody"],
    content: "lost",
  });
  await node.router.flushLog();
  const dead = node.store.messages.deadLetters();
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.receiver, "nobody");
  assert.equal(dead[0]!.message.content, "lost");
  assert.match(dead[0]!.reason ?? "", /no agent or participant named "nobody"/);
  assert.equal(node.router.deadLetters, 1);
});

Deno.test("a failure reply is logged like any delivery", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  me.send({
    performative: "request",
    receiver: ["nobody"],
    conversationId: "c-fail",
    replyWith: "q",
  });
  await me.next((m) => m.inReplyTo === "q");
  await node.router.flushLog();
  const rows = node.store.messages.byConversation("c-fail");
  assert.deepEqual(rows.map((r) => [r.message.performative, r.receiver, r.status]), [
    ["failure", me.name, "handled"],
  ]);
});

Deno.test("an agent that answers a delivery failure with another undeliverable message does not loop", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  // The counter replies to everything, failures included, to whoever sent them.
  await node.agents.deploy("counter", agentBytes("counter_wat"));
  node.router.route({ performative: "request", sender: "ext:gone", receiver: ["counter"] });
  await until(() => node.router.deadLetters > 0, "the dead letter", 5_000);
  // A loop would keep the counter busy: a later request's reply comes only after what it queued.
  using probe = new TestParticipant(node, "ext:probe");
  await probe.request("counter", "later");
  await node.router.flushLog();
  // request → counter, its inform → ext:gone fails → failure → counter,
  // its inform → ext:gone fails again: that one is a dead letter, not a failure.
  assert.equal(node.router.deadLetters, 1);
  const counted = node.store.messages.byAgent("counter", { limit: 100 })
    .filter((row) => row.receiver === "counter" && row.message.sender !== probe.name);
  assert.deepEqual(counted.map((r) => r.message.performative), ["request", "failure"]);
  const dead = node.store.messages.deadLetters();
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.message.sender, "counter");
});

Deno.test("each logged delivery keeps its trace id, so a conversation's trace is found from the log", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  me.send({
    performative: "request",
    receiver: ["echo"],
    conversationId: "traced",
    replyWith: "t1",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  });
  await me.next((m) => m.inReplyTo === "t1");
  await node.router.flushLog();
  const rows = node.store.messages.byConversation("traced");
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => r.traceId), [
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "4bf92f3577b34da6a3ce929d0e0e4736",
  ]);
});
