import assert from "node:assert/strict";
import type { CaxtonNode } from "../../main.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * Resolves once a reply-by clock set `ms` from now has fired: a request to a
 * participant that never answers comes back as a timeout failure. Clocks fire
 * in deadline order, so any earlier one would have fired by then too.
 */
async function laterTimeoutFired(node: CaxtonNode, me: TestParticipant, ms: number) {
  using silent = new TestParticipant(node);
  me.send({
    performative: "request",
    receiver: [silent.name],
    replyWith: "probe",
    replyBy: soon(ms),
  });
  await me.next((m) => m.inReplyTo === "probe", 5_000);
}

Deno.test("a reply-by that passes without a reply sends the initiator a timeout failure", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  using silent = new TestParticipant(node); // receives, never answers
  me.send({
    performative: "request",
    receiver: [silent.name],
    content: "anyone?",
    conversationId: "c-timeout",
    replyWith: "r-1",
    replyBy: soon(150),
  });
  const failure = await me.next((m) => m.inReplyTo === "r-1", 3_000);
  assert.equal(failure.performative, "failure");
  assert.equal(failure.sender, silent.name);
  assert.equal(failure.conversationId, "c-timeout");
  assert.match(JSON.stringify(failure.content), /reply_timeout.*no reply from/);
  assert.equal(silent.received.length, 1, "the request itself was delivered");
  assert.equal(node.router.awaitedReplies, 0);
});

Deno.test("a reply in time from a real agent cancels the reply-by clock", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  me.send({
    performative: "request",
    receiver: ["echo"],
    content: "quick",
    replyWith: "r-2",
    replyBy: soon(300),
  });
  const reply = await me.next((m) => m.inReplyTo === "r-2");
  assert.equal(reply.performative, "inform");
  assert.equal(node.router.awaitedReplies, 0);
  await laterTimeoutFired(node, me, 400);
  assert.equal(
    me.received.filter((m) => m.inReplyTo === "r-2").length,
    1,
    "no timeout after the reply",
  );
});

Deno.test("a failed delivery answers the initiator once, with no timeout after it", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("spin", agentBytes("infinite_loop"));
  me.send({
    performative: "request",
    receiver: ["spin", "nobody"],
    content: "go",
    replyWith: "r-3",
    replyBy: soon(300),
  });
  await me.next(() => me.received.filter((m) => m.inReplyTo === "r-3").length >= 2);
  await laterTimeoutFired(node, me, 400);
  const answers = me.received.filter((m) => m.inReplyTo === "r-3");
  assert.deepEqual(answers.map((m) => (m.content as { code: string }).code).sort(), [
    "fuel_exhausted",
    "unknown_receiver",
  ]);
});
