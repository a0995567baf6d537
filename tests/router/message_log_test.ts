import assert from "node:assert/strict";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

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
