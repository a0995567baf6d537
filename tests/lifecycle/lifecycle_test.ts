import assert from "node:assert/strict";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("deploy runs an agent, and every transition is persisted", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const view = await node.agents.deploy("echo", agentBytes("echo_wat"));
  assert.equal(view.state, "running");
  assert.deepEqual(view.capabilities, ["echo"]);
  const reply = await me.request("echo", "hello");
  assert.equal(reply.performative, "inform");
  assert.equal(reply.sender, "echo");
  assert.equal(reply.content, "hello");
  assert.deepEqual(node.agents.history("echo").map((t) => `${t.from}>${t.to}`), [
    "unloaded>loaded",
    "loaded>running",
  ]);
});

Deno.test("stop drains then stops; a stopped agent refuses messages; start brings it back", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  for (let i = 0; i < 50; i++) {
    me.send({ performative: "request", receiver: ["echo"], content: `m${i}` });
  }
  const stopped = await node.agents.stop("echo");
  assert.equal(stopped.state, "stopped");
  assert.equal(
    me.received.filter((m) => m.performative === "inform").length,
    50,
    "drained before stopping",
  );
  const refused = await me.request("echo", "are you there?");
  assert.equal(refused.performative, "failure");
  assert.match(JSON.stringify(refused.content), /agent_unavailable/);
  // Idempotent: a second stop changes nothing (and records no transition, below).
  assert.equal((await node.agents.stop("echo")).state, "stopped");
  await node.agents.start("echo");
  assert.equal((await me.request("echo", "back")).content, "back");
  assert.deepEqual(node.agents.history("echo").map((t) => t.to), [
    "loaded",
    "running",
    "draining",
    "stopped",
    "loaded",
    "running",
  ]);
});

Deno.test("a restarted node brings back its running agents with their state", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy("counter", agentBytes("counter_wat"));
    await node.agents.deploy("idle", agentBytes("echo_wat"));
    await node.agents.stop("idle");
    for (let i = 1; i <= 3; i++) {
      assert.equal((await me.request("counter", "tick")).content, String(i));
    }
  }
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  assert.equal(node.agents.get("counter").state, "running");
  assert.equal(node.agents.get("idle").state, "stopped");
  assert.equal((await me.request("counter", "tick")).content, "4");
});

Deno.test("hot reload under traffic loses no message and handles none twice", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  let sent = 0;
  let sentAtReload = -1;
  // Traffic flows on timers before, during and after the reload.
  const send = (n: number) => {
    for (let i = 0; i < n; i++, sent++) {
      me.send({
        performative: "request",
        receiver: ["echo"],
        content: `m${sent}`,
        replyWith: `r${sent}`,
      });
    }
  };
  const traffic = new Promise<void>((resolve) => {
    const tick = () => {
      send(20);
      if (sentAtReload < 0 || sent < sentAtReload + 1_000) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await until(() => sent >= 500, "500 messages sent before the reload");
  const sentBeforeReload = sent;
  const reloaded = await node.agents.deploy("echo", agentBytes("echo_as"));
  sentAtReload = sent;
  assert.ok(sentAtReload > sentBeforeReload, "messages were sent while the reload ran");
  assert.equal(reloaded.version, 2);
  assert.equal(reloaded.state, "running");
  await traffic;
  await me.next(() => me.received.length >= sent, 10_000).catch(() => {});
  const replies = me.received.filter((m) => m.performative === "inform").map((m) => m.inReplyTo);
  assert.equal(me.received.filter((m) => m.performative === "failure").length, 0);
  assert.equal(new Set(replies).size, sent, "every message answered");
  assert.equal(replies.length, sent, "no message answered twice");
  const history = node.agents.history("echo").map((t) => `${t.to}@${t.version}`);
  assert.deepEqual(history.slice(-2), ["draining@1", "running@2"]);
});

Deno.test("a failed hot reload keeps the old version serving", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  await assert.rejects(() => node.agents.deploy("echo", agentBytes("slow_init")), /caxton_init/);
  const view = node.agents.get("echo");
  assert.equal(view.state, "running");
  assert.equal(view.version, 1);
  assert.equal((await me.request("echo", "still here")).content, "still here");
});

Deno.test("backup of a live node restores into a fresh node with the same agents and state", async () => {
  using dir = tempDataDir();
  using fresh = tempDataDir();
  const backup = `${dir.path}/backup.db`;
  {
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy("counter", agentBytes("counter_wat"));
    await node.agents.deploy("echo", agentBytes("echo_as"));
    for (let i = 0; i < 5; i++) await me.request("counter", "tick");
    node.store.backup(backup);
    await me.request("counter", "after the backup");
  }
  const { restoreDatabase } = await import("../../src/store/mod.ts");
  restoreDatabase(backup, `${fresh.path}/caxton.db`);
  await using node = await startTestNode({ dataDir: fresh.path });
  using me = new TestParticipant(node);
  assert.deepEqual(node.agents.list().map((a) => [a.name, a.state]), [
    ["counter", "running"],
    ["echo", "running"],
  ]);
  assert.equal((await me.request("counter", "tick")).content, "6");
});
