import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("a message to many receivers fans out: every WASM agent gets it and answers", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const names = Array.from({ length: 24 }, (_, i) => `echo-${i}`);
  for (const name of names) await node.agents.deploy(name, agentBytes("echo_wat"));
  const taken = node.router.route({
    performative: "request",
    sender: me.name,
    receiver: names,
    content: "all",
    replyWith: "fan",
  });
  assert.equal(taken, names.length);
  await until(() => me.received.length >= names.length, "a reply from every receiver", 10_000);
  assert.deepEqual(me.received.map((m) => m.sender).sort(), [...names].sort());
  assert.ok(me.received.every((m) => m.inReplyTo === "fan" && m.content === "all"));
});

Deno.test("a WASM agent's message to several receivers reaches each of them once", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  for (const name of ["s1", "s2", "s3"]) await node.agents.deploy(name, agentBytes("echo_wat"));
  await node.agents.deploy("flooder", agentBytes("flooder_as"));
  const reply = await me.request("flooder", "50 s1,s2,s3");
  assert.equal(reply.content, "sent=50 full=0 other=0");
  const handled = () => ["s1", "s2", "s3"].map((n) => node.agents.get(n).counters.handled);
  await until(
    () => handled().every((n) => n >= 50),
    "50 messages handled by each receiver",
    10_000,
  );
  assert.deepEqual(handled(), [50, 50, 50]);
});

Deno.test("order is kept per conversation, from outside and between WASM agents, across workers", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("counter", agentBytes("counter_wat"));
  await node.agents.deploy("flooder", agentBytes("flooder_as"));
  await node.agents.deploy("echo-a", agentBytes("echo_wat"));
  await node.agents.deploy("echo-b", agentBytes("echo_wat"));
  const fromEcho: AclMessage[] = [];
  const stop = node.router.tap((m) => {
    if (m.receiver[0] === "flooder" && m.sender?.startsWith("echo-")) fromEcho.push(m);
  });

  // 2,000 requests in one conversation, interleaved with another conversation.
  for (let i = 0; i < 2_000; i++) {
    me.send({
      performative: "request",
      receiver: ["counter"],
      conversationId: "ordered",
      replyWith: `r${i}`,
    });
    if (i % 10 === 0) {
      me.send({ performative: "request", receiver: ["echo-a"], conversationId: "other" });
    }
  }
  // The flooder sends 300 messages in one run to each echo (one on each worker).
  await me.request("flooder", "300 echo-a");
  await me.request("flooder", "300 echo-b");
  const ordered = () => me.received.filter((m) => m.conversationId === "ordered");
  await until(
    () => ordered().length >= 2_000 && fromEcho.length >= 600,
    "2,000 ordered replies and 600 echoes to the flooder",
  );
  stop();

  const replies = ordered();
  assert.equal(replies.length, 2_000);
  assert.deepEqual(replies.map((m) => m.inReplyTo), replies.map((_, i) => `r${i}`));
  const counts = replies.map((m) => Number(m.content));
  assert.ok(
    counts.every((n, i) => i === 0 || n === counts[i - 1]! + 1),
    "the counter saw them in order",
  );
  for (const echo of ["echo-a", "echo-b"]) {
    const got = fromEcho.filter((m) => m.sender === echo).map((m) => m.content);
    assert.deepEqual(
      got,
      Array.from({ length: 300 }, (_, i) => `f${i}`),
      `${echo} answered in order`,
    );
  }
  assert.notEqual(node.agents.get("echo-a").worker, node.agents.get("echo-b").worker);
});
