/** Instance pools (docs/POOLS.md): members in every worker, sticky conversations, no state. */
import assert from "node:assert/strict";
import type { CaxtonNode } from "../../main.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";
import { wat } from "../_support/wat.ts";

const POOL = agentBytes("pool_member_as");

/** Asks `who` in `conversations` conversations of `each` messages, all at once; member per reply. */
async function askAround(
  me: TestParticipant,
  conversations: number,
  each: number,
  prefix = "conv",
): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  const asks: Promise<void>[] = [];
  for (let c = 0; c < conversations; c++) {
    const conversationId = `${prefix}-${c}`;
    seen.set(conversationId, []);
    for (let i = 0; i < each; i++) {
      const replyWith = `${conversationId}-${i}`;
      const reply = me.next((m) => m.inReplyTo === replyWith, 10_000);
      me.send({
        performative: "request",
        receiver: ["pool"],
        content: "who",
        conversationId,
        replyWith,
      });
      asks.push(reply.then((m) => void seen.get(conversationId)!.push(m.content as string)));
    }
  }
  await Promise.all(asks);
  return seen;
}

function members(node: CaxtonNode) {
  return node.agents.get("pool").members ?? [];
}

Deno.test("a pooled agent under load uses every worker and keeps each conversation on one member", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  const view = await node.agents.deploy("pool", POOL, { instances: 2 });
  assert.equal(view.instances, 2);
  assert.deepEqual(view.members!.map((m) => m.worker).sort(), [0, 1], "one member per worker");

  const seen = await askAround(me, 40, 5);
  for (const [conversation, answers] of seen) {
    assert.equal(answers.length, 5);
    assert.equal(new Set(answers).size, 1, `${conversation} moved between members: ${answers}`);
  }
  const answered = new Set([...seen.values()].flat());
  assert.deepEqual([...answered].sort(), ["0", "1"], "both members answered");
  const handled = members(node).map((m) => m.handled);
  assert.ok(handled.every((n) => n > 0), `every member handled messages: ${handled}`);
  assert.equal(handled.reduce((a, b) => a + b, 0), 200);
});

Deno.test("messages outside any conversation take turns across the members", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  await node.agents.deploy("pool", POOL, { instances: 4 });
  const answers = await Promise.all(
    Array.from({ length: 40 }, async () => (await me.request("pool", "who")).content as string),
  );
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), ["0", "1", "2", "3"]);
  assert.deepEqual([...counts.values()], [10, 10, 10, 10], "in turn: ten each");
  const workers = members(node).map((m) => m.worker);
  assert.deepEqual(
    new Set(workers),
    new Set([0, 1]),
    `members spread over both workers: ${workers}`,
  );
});

Deno.test("a pool member may not write state or set timers (-5, refused); a plain agent may", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  await node.agents.deploy("pool", POOL, { instances: 2 });
  assert.equal((await me.request("pool", "set k v")).content, -5);
  assert.equal((await me.request("pool", "timer")).content, -5);
  const id = node.agents.get("pool").id;
  assert.equal(node.store.state.load(id).size, 0, "nothing was written");
  assert.equal(node.store.timers.count(id), 0);

  await node.agents.deploy("plain", POOL);
  assert.equal((await me.request("plain", "set k v")).content, 0);
  assert.equal((await me.request("plain", "who")).content, "none");
});

Deno.test("a hot reload or a stop of a pooled agent loses no message and answers none twice", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  await node.agents.deploy("pool", POOL, { instances: 2 });
  const before = members(node);

  const during = askAround(me, 20, 10);
  const reloaded = await node.agents.deploy("pool", POOL, { instances: 3 });
  const seen = await during;
  assert.equal([...seen.values()].flat().length, 200, "every message answered");
  assert.equal(reloaded.version, 2);
  assert.equal(reloaded.members!.length, 3, "the new version runs the new number of members");
  assert.equal(before.length, 2);

  const pending = askAround(me, 10, 10, "late");
  const stopped = await node.agents.stop("pool");
  assert.equal(stopped.state, "stopped");
  assert.equal(stopped.members, undefined, "no member runs after a stop");
  assert.equal([...(await pending).values()].flat().length, 100, "a stop drains the mailbox");
  const replies = me.received.filter((m) => m.inReplyTo !== undefined);
  assert.equal(replies.length, 300);
  assert.equal(new Set(replies.map((m) => m.inReplyTo)).size, replies.length, "none twice");
});

Deno.test("a pool keeps its size across a restart, and a bad size is refused", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
    await node.agents.deploy("pool", POOL, { instances: 2 });
    await assert.rejects(
      () => node.agents.deploy("wide", POOL, { instances: 65 }),
      /instances 65 must be an integer from 1 to 64/,
    );
    await assert.rejects(
      () => node.agents.deploy("half", POOL, { instances: 1.5 }),
      /instances 1.5 must be an integer/,
    );
  }
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  assert.equal(node.agents.get("pool").instances, 2);
  const answers = new Set<unknown>();
  for (let i = 0; i < 4; i++) answers.add((await me.request("pool", "who")).content);
  assert.deepEqual([...answers].sort(), ["0", "1"]);
});

Deno.test("a reload that cannot load keeps the old version serving with its members", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2 });
  using me = new TestParticipant(node);
  await node.agents.deploy("pool", POOL, { instances: 2 });
  const failing = wat(`(module
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_init") (result i32) (i32.const 1))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);
  await assert.rejects(() => node.agents.deploy("pool", failing, { instances: 3 }), /caxton_init/);
  const view = node.agents.get("pool");
  assert.deepEqual([view.version, view.instances, view.members?.length], [1, 2, 2]);
  assert.equal(node.store.agents.byName("pool")!.instances, 2, "the stored size too");
  const answers = await Promise.all(
    [1, 2, 3, 4].map(async () => (await me.request("pool", "who")).content),
  );
  assert.deepEqual([...new Set(answers)].sort(), ["0", "1"]);
});
