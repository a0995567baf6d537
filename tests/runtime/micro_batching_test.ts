import assert from "node:assert/strict";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("deliveries are batched while busy and posted at the end of the task when idle", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const names = Array.from({ length: 16 }, (_, i) => `echo-${i}`);
  for (const name of names) await node.agents.deploy(name, agentBytes("echo_wat"));

  // Idle: one message is posted alone, in this very task (no timer), and answered.
  const idle = node.pool.status();
  me.send({ performative: "request", receiver: ["echo-0"], replyWith: "alone" });
  assert.equal(node.pool.status().batchesPosted, idle.batchesPosted, "not posted synchronously");
  await Promise.resolve(); // the end of this task's microtasks
  assert.equal(node.pool.status().batchesPosted, idle.batchesPosted + 1);
  assert.equal(node.pool.status().deliveriesPosted, idle.deliveriesPosted + 1);
  await me.next((m) => m.inReplyTo === "alone");

  // Busy: 2,000 messages at once travel in few batches.
  const busy = node.pool.status();
  for (let i = 0; i < 2_000; i++) {
    me.send({ performative: "request", receiver: [names[i % 16]!], replyWith: `b${i}` });
  }
  await until(() => me.received.length >= 2_001, "2,001 replies");
  assert.equal(me.received.length, 2_001);
  const status = node.pool.status();
  const deliveries = status.deliveriesPosted - busy.deliveriesPosted;
  const batches = status.batchesPosted - busy.batchesPosted;
  assert.equal(deliveries, 2_000);
  assert.ok(batches <= deliveries / 10, `${deliveries} deliveries in ${batches} batches`);
});
