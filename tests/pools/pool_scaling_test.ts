/**
 * Pools the node sizes from mailbox depth (docs/POOLS.md): `instances: {min, max}`
 * grows under a burst and shrinks when idle, losing and repeating no message.
 */
import assert from "node:assert/strict";
import type { CaxtonNode } from "../../main.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

/** Quick to grow and to shrink, so a test sees both in a second or two. */
const POOLS = { growDepth: 4, growAfterMs: 50, shrinkAfterMs: 300 };

const size = (node: CaxtonNode, name: string) => node.agents.get(name).members?.length ?? 0;

Deno.test("a pool under a burst grows to its max and back to its min when idle, every message answered once", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2, pools: POOLS });
  using me = new TestParticipant(node);
  const view = await node.agents.deploy("pool", agentBytes("compute_as"), {
    instances: { min: 1, max: 3 },
    keepAlive: true,
  });
  assert.deepEqual([view.instances, view.maxInstances, view.members?.length], [1, 3, 1]);

  // ~0.2 ms of WASM each: one member cannot keep up, so the mailbox stays deep; 300 of
  // them were all handled in ~120 ms on an idle machine, before a second member loaded.
  const burst = 2_000;
  let largest = 1;
  const replies = Array.from({ length: burst }, (_, i) => {
    const replyWith = `burst-${i}`;
    const reply = me.next((m) => m.inReplyTo === replyWith, 60_000);
    me.send({ performative: "request", receiver: ["pool"], content: "50000", replyWith });
    return reply;
  });
  await until(() => {
    largest = Math.max(largest, size(node, "pool"));
    return largest === 3;
  }, "the pool to grow to its max of 3");
  const answers = await Promise.all(replies);
  assert.ok(answers.every((m) => m.performative === "inform"), "every request handled");
  await until(() => size(node, "pool") === 1, "the idle pool to shrink back to its min of 1");

  const answered = me.received.filter((m) => m.inReplyTo?.startsWith("burst-"));
  assert.equal(answered.length, burst, "no message lost or answered twice");
  assert.equal(new Set(answered.map((m) => m.inReplyTo)).size, burst);
  const counters = node.agents.get("pool").counters;
  assert.equal(counters.handled, burst, "each handled once");
});

Deno.test("a self-sized pool is stateless at its least size and keeps its range across a restart", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path, workers: 2, pools: POOLS });
    using me = new TestParticipant(node);
    await node.agents.deploy("pool", agentBytes("pool_member_as"), {
      instances: { min: 1, max: 2 },
    });
    assert.equal((await me.request("pool", "set k v")).content, -5, "one member, still a pool");
    assert.equal((await me.request("pool", "who")).content, "0");
    // A range of one size is a fixed pool.
    const fixed = await node.agents.deploy("fixed", agentBytes("pool_member_as"), {
      instances: { min: 2, max: 2 },
    });
    assert.deepEqual([fixed.instances, fixed.maxInstances], [2, null]);
  }
  await using node = await startTestNode({ dataDir: dir.path, workers: 2, pools: POOLS });
  const view = node.agents.get("pool");
  assert.deepEqual([view.instances, view.maxInstances], [1, 2]);
});

Deno.test("a bad min or max is refused and deploys nothing", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  for (const instances of [{ min: 3, max: 2 }, { min: 0, max: 2 }, { min: 1, max: 65 }]) {
    await assert.rejects(
      () => node.agents.deploy("bad", agentBytes("pool_member_as"), { instances }),
      /must be \{min, max\} with 1 <= min <= max <= 64/,
      JSON.stringify(instances),
    );
  }
  assert.throws(() => node.agents.get("bad"), /Cannot find agent "bad"/);
});
