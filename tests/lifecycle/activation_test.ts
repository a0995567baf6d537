/**
 * Activation on demand (issue 21): a running agent without work gives its
 * instance back after `passivateAfterMs`, keeps its state and its lifecycle
 * state, and its next message brings it back; messages that arrive while it
 * activates are handled in order; `keepAlive` opts an agent out.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { countOf, leaveUnfinished } from "../_support/redeliveries.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

const SCALE = { ...defaultScaleConfig(), passivateAfterMs: 30 };

Deno.test("a passivated agent stays running, keeps its state and answers its next message", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  await node.agents.deploy("counter", agentBytes("counter_wat"));
  assert.equal((await me.request("counter", "one")).content, "1");
  await until(() => node.agents.activity().passivations === 1, "the idle counter passivated");
  const idle = node.agents.get("counter");
  assert.deepEqual([idle.state, idle.worker], ["running", null], "running, without an instance");
  assert.equal(node.pool.status().instances, 0);
  assert.equal((await me.request("counter", "two")).content, "2", "its count came from the store");
  assert.equal(node.agents.activity().activations, 1);
  assert.notEqual(node.agents.get("counter").worker, null);
});

Deno.test("messages that arrive while an agent activates are handled in the order sent", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  await node.agents.deploy("counter", agentBytes("counter_wat"));
  await until(() => node.agents.activity().active === 0, "the counter passivated");
  for (let i = 0; i < 50; i++) {
    me.send({ performative: "request", receiver: ["counter"], content: i, replyWith: `m${i}` });
  }
  await until(() => me.received.length === 50, "fifty answers");
  const counts = me.received.map((m) => [m.inReplyTo, m.content]);
  assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => [`m${i}`, String(i + 1)]));
  assert.equal(node.agents.activity().activations, 1, "one activation took the whole burst");
});

Deno.test("a keepAlive agent keeps its instance while its idle neighbour is passivated", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  await node.agents.deploy("kept", agentBytes("echo_wat"), { keepAlive: true });
  await node.agents.deploy("idle", agentBytes("echo_wat"));
  await until(() => node.agents.get("idle").worker === null, "the idle agent passivated");
  assert.equal(node.agents.get("kept").keepAlive, true);
  assert.notEqual(node.agents.get("kept").worker, null, "kept alive");
});

Deno.test("a stop of a passivated agent with messages waiting handles them first", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  await node.agents.deploy("counter", agentBytes("counter_wat"));
  await until(() => node.agents.activity().active === 0, "the counter passivated");
  me.send({ performative: "request", receiver: ["counter"], content: 1, replyWith: "last" });
  const view = await node.agents.stop("counter");
  assert.equal(view.state, "stopped");
  assert.equal((await me.next((m) => m.inReplyTo === "last")).content, "1");
});

Deno.test("a restarted node makes no instance until a message comes, then only for its receiver", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
    for (let i = 0; i < 20; i++) await node.agents.deploy(`e${i}`, agentBytes("echo_wat"));
    await node.agents.deploy("kept", agentBytes("echo_wat"), { keepAlive: true });
  }
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  await until(() => node.agents.activity().active === 1, "the keepAlive agent activated");
  assert.equal(node.agents.get("e7").state, "running");
  assert.equal((await me.request("e7", "hello")).content, "hello");
  assert.equal(node.agents.activity().activations, 2, "kept, then e7 — no other");
});

Deno.test("a restart redelivers what was left unfinished, activating only its receivers", async () => {
  using dir = tempDataDir();
  const names = Array.from({ length: 200 }, (_, i) => `c-${i}`);
  {
    await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
    await node.agents.deployMany(names, agentBytes("counter_wat"));
    await node.participants.register("keeper"); // saved: the answers have somewhere to go
  }
  leaveUnfinished(dir.path, "ext:keeper", ["c-3", "c-150", "c-150"]);
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  await until(() => node.store.messages.unfinished().length === 0, "the redeliveries handled");
  assert.deepEqual([countOf(node.store, "c-3"), countOf(node.store, "c-150")], [1, 2]);
  assert.equal(countOf(node.store, "c-4"), 0, "a neighbour got nothing");
  assert.equal(node.agents.activity().activations, 2, "only the two receivers were activated");
});
