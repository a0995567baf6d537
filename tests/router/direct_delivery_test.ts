/**
 * Direct delivery: a worker delivers between its own agents without the main
 * thread's round trip (with the log on, it reports them so they are logged).
 * These pin what must not change when it does: order per sender across the
 * switch on and off, backpressure, failures, stop, and that the main thread
 * still hears what it must.
 */
import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** Deploys `name` and redeploys a filler until it lands on `worker` (placement is least-loaded). */
async function deployOn(node: Node, worker: number, name: string, agent: string): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await node.agents.deploy(name, agentBytes(agent));
    if (node.agents.get(name).worker === worker) return;
    await node.agents.remove(name);
    await node.agents.deploy(`filler-${name}-${i}`, agentBytes("echo_wat"));
  }
  throw new Error(`could not place ${name} on worker ${worker}`);
}

/** With the log on: every direct delivery was logged and is done (none left to redeliver). */
async function allLoggedAndDone(node: Node, messageLog: "log" | "none"): Promise<void> {
  if (messageLog === "none") return;
  await node.router.flushLog();
  assert.deepEqual(node.store.messages.unfinished().map((r) => [r.id, r.receiver]), []);
}

for (const messageLog of ["none", "log"] as const) {
  Deno.test(`messageLog ${messageLog}: two agents on one worker talk directly; order is kept`, async () => {
    await talkDirectly(messageLog);
  });
  Deno.test(`messageLog ${messageLog}: a hot reload mid-stream switches direct delivery off and on without losing or reordering`, async () => {
    await reloadMidStream(messageLog);
  });
}

async function talkDirectly(messageLog: "log" | "none"): Promise<void> {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, messageLog });
  using me = new TestParticipant(node);
  await deployOn(node, 0, "flooder", "flooder_as");
  await deployOn(node, 0, "echo", "echo_wat");
  const replies: AclMessage[] = [];
  node.router.tap((m) => {
    if (m.sender === "echo" && m.receiver[0] === "flooder") replies.push(m);
  });
  const before = node.pool.status().directDeliveries;
  assert.equal((await me.request("flooder", "300 echo")).content, "sent=300 full=0 other=0");
  await until(() => replies.length === 300, "300 replies");
  await until(() => node.agents.get("flooder").counters.handled === 301, "the flooder took them");
  assert.deepEqual(replies.map((m) => m.content), Array.from({ length: 300 }, (_, i) => `f${i}`));
  // 300 to echo and 300 back, none through the main thread.
  const direct = node.pool.status().directDeliveries - before;
  assert.ok(direct >= 600, `${direct} direct deliveries`);
  assert.equal(node.agents.get("echo").counters.handled, 300);
  await allLoggedAndDone(node, messageLog);
  if (messageLog === "log") {
    const toEcho = node.store.messages.byAgent("echo", { limit: 1_000 })
      .filter((r) => r.receiver === "echo");
    assert.deepEqual(toEcho.map((r) => r.message.content), replies.map((m) => m.content));
  }
}

Deno.test("a direct receiver's queue is bounded: the sender sees -2 within one run", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({
    dataDir: dir.path,
    messageLog: "none",
    mailboxCapacity: 10,
  });
  using me = new TestParticipant(node);
  await deployOn(node, 0, "flooder", "flooder_as");
  await deployOn(node, 0, "echo", "echo_wat");
  // The echo cannot run while the flooder does (one thread): 10 fit, 40 are refused.
  assert.equal((await me.request("flooder", "50 echo")).content, "sent=10 full=40 other=0");
});

async function reloadMidStream(messageLog: "log" | "none"): Promise<void> {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, messageLog });
  using me = new TestParticipant(node);
  await deployOn(node, 0, "flooder", "flooder_as");
  await deployOn(node, 0, "echo", "echo_wat");
  const replies: unknown[] = [];
  node.router.tap((m) => {
    if (m.sender === "echo" && m.receiver[0] === "flooder") replies.push(m.content);
  });
  const runs = 6;
  const asked: Promise<AclMessage>[] = [];
  for (let i = 0; i < runs; i++) {
    asked.push(me.request("flooder", "200 echo"));
    // Reload while the traffic flows: the same module again, then the AssemblyScript echo.
    if (i === 2) await node.agents.deploy("echo", agentBytes("echo_as"));
    if (i === 4) await node.agents.deploy("echo", agentBytes("echo_wat"));
  }
  for (const answer of await Promise.all(asked)) {
    assert.equal(answer.content, "sent=200 full=0 other=0");
  }
  await until(() => replies.length >= runs * 200, "every reply");
  // No duplicate follows: one more run's reply arrives right after the last one.
  assert.equal((await me.request("flooder", "1 echo")).content, "sent=1 full=0 other=0");
  await until(() => replies.length > runs * 200, "the later run's reply");
  const expected = Array.from(
    { length: runs },
    () => Array.from({ length: 200 }, (_, i) => `f${i}`),
  ).flat();
  assert.deepEqual(replies, [...expected, "f0"]);
  assert.equal(node.agents.get("echo").version, 3);
  await allLoggedAndDone(node, messageLog);
}

Deno.test("a trap on a direct delivery fails that message to its sender; stop drains what is queued", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, messageLog: "none" });
  using me = new TestParticipant(node);
  await deployOn(node, 0, "trap", "trap_once");
  await deployOn(node, 0, "echo", "echo_wat");
  const failures: AclMessage[] = [];
  node.router.tap((m) => {
    if (m.performative === "failure" && m.receiver[0] === "echo") failures.push(m);
  });
  // echo answers "trap" with the same content: a direct delivery that traps.
  node.router.route({
    performative: "inform",
    sender: "trap",
    receiver: ["echo"],
    content: "boom",
  });
  await until(() => failures.length > 0, "the failure");
  assert.match(JSON.stringify(failures[0]!.content), /handling_failed/);
  assert.equal(failures[0]!.sender, "trap");
  await until(() => node.agents.get("trap").counters.failed === 1, "the trap counted");

  // Stop: what the flooder queued for a stopping receiver is handled or failed, never lost.
  await deployOn(node, 1, "flooder", "flooder_as");
  await deployOn(node, 1, "sink", "echo_wat");
  const toFlooder: AclMessage[] = [];
  node.router.tap((m) => {
    if (m.receiver[0] === "flooder" && m.sender === "sink") toFlooder.push(m);
  });
  const sent = me.request("flooder", "400 sink");
  const stopped = node.agents.stop("sink");
  assert.equal((await sent).content, "sent=400 full=0 other=0");
  await stopped;
  await until(() => toFlooder.length === 400, "400 answers from the sink or about it");
  const handled = node.agents.get("sink").counters.handled;
  const failed = toFlooder.filter((m) => m.performative === "failure").length;
  assert.equal(handled + failed, 400);
});
