import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import { LATE_MS, TIMER_ONTOLOGY, type TimerFired } from "../../src/timers/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

const _fired = (m: AclMessage, payload: string) =>
  m.performative === "inform" && (m.content as TimerFired | undefined)?.payload === payload;

function _state(node: Awaited<ReturnType<typeof startTestNode>>, agent: string, key: string) {
  const value = node.store.state.get(node.agents.get(agent).id, key);
  return value === undefined ? undefined : new TextDecoder().decode(value);
}

Deno.test("a timer set while handling a message fires as an inform from caxton to its agent", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  using client = new TestParticipant(node);
  const set = await client.request("tk", "set 50 hello");
  const id = set.content as number;
  assert.ok(Number.isSafeInteger(id) && id > 0, `an id, got ${id}`);
  // The agent forwards the timer's content to us once it fires.
  const fired = await client.next((m) => _fired(m, "hello"));
  const content = fired.content as TimerFired;
  assert.equal(content.timer, id);
  assert.equal(content.late, false);
  assert.ok(content.lateMs < LATE_MS);
  assert.equal(_state(node, "tk", "fired:hello"), "1");
  assert.equal(node.store.timers.total(), 0, "a one-shot timer is gone once fired");
  // What the agent received, as the log has it.
  await node.router.flushLog();
  const [logged] = node.store.messages.byConversation(`timer:${id}`);
  assert.equal(logged?.message.sender, "caxton");
  assert.equal(logged?.message.ontology, TIMER_ONTOLOGY);

  // Cancelled before it is due: it never fires.
  const later = (await client.request("tk", "set 60000 never")).content as number;
  assert.equal(node.store.timers.total(), 1);
  assert.equal((await client.request("tk", `cancel ${later}`)).content, 0);
  assert.equal(node.store.timers.total(), 0);
});

Deno.test("a timer set inside a message that then traps is not set", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  using client = new TestParticipant(node);
  const trapped = await client.request("tk", "trap 10 boom");
  assert.equal(trapped.performative, "failure");
  assert.equal(node.store.timers.total(), 0, "nothing committed");
  // A later timer due after the trapped one would have been: once it fires, boom never did.
  await client.request("tk", "set 30 after");
  await client.next((m) => _fired(m, "after"));
  assert.equal(_state(node, "tk", "fired:boom"), undefined);
  assert.equal(_state(node, "tk", "fired:after"), "1");
});

Deno.test("a periodic timer that missed periods fires once, late, then keeps its schedule", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  using client = new TestParticipant(node);
  await client.request("tk", "set 60000 register-asker");
  const agentId = node.agents.get("tk").id;
  const now = Date.now();
  // As if the node had been down for ten periods.
  node.store.timers.add({
    agentId,
    id: 7,
    dueAt: now - 10_000,
    everyMs: 1_000,
    payload: "tick",
    createdAt: now - 20_000,
  });
  node.timers.wake();
  const first = await client.next((m) => _fired(m, "tick"));
  const content = first.content as TimerFired;
  assert.equal(content.late, true);
  assert.ok(content.lateMs >= 10_000);
  assert.equal(content.everyMs, 1_000);
  const next = node.store.timers.list(agentId).find((t) => t.id === 7)!;
  assert.ok(
    next.dueAt > now && next.dueAt <= Date.now() + 1_000,
    "next period, not the missed ones",
  );
  assert.equal(_state(node, "tk", "fired:tick"), "1", "one catch-up, not ten");
  await until(() => _state(node, "tk", "fired:tick") === "2", "the next period fires");
});

Deno.test("10,000 timers fire within the lateness bound, each once; an agent's limit holds", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  const agent = node.agents.get("tk");
  const lateness: number[] = [];
  const seen = new Set<number>();
  const stop = node.router.tap((m) => {
    if (m.ontology !== TIMER_ONTOLOGY) return;
    const c = m.content as TimerFired;
    seen.add(c.timer);
    lateness.push(c.lateMs);
  });
  // Created in one transaction (as the timers one message sets commit), due over five seconds.
  node.store.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      node.timers.create(agent.id, "tk", { delayMs: 500 + (i % 5000), payload: `t${i % 10}` });
    }
  });
  assert.throws(
    () => node.timers.create(agent.id, "tk", { delayMs: 1 }),
    (e: Error) => (e as { code?: string }).code === "timer_limit",
  );
  await until(() => lateness.length >= 10_000, "10,000 timers fired", 30_000);
  stop();
  assert.equal(seen.size, 10_000, "each timer fired once");
  assert.equal(lateness.length, 10_000, "none fired twice");
  lateness.sort((a, b) => a - b);
  assert.ok(lateness.at(-1)! < LATE_MS, `the latest fired ${lateness.at(-1)} ms late`);
  assert.equal(node.store.timers.total(), 0);
  await until(() => node.agents.get("tk").counters.handled >= 10_000, "all handled");
  const counted = [...Array(10).keys()].reduce(
    (n, i) => n + Number(_state(node, "tk", `fired:t${i}`) ?? 0),
    0,
  );
  assert.equal(counted, 10_000);
});

Deno.test("removing an agent removes its timers", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  const agent = node.agents.get("tk");
  node.timers.create(agent.id, "tk", { delayMs: 60_000 });
  node.timers.create(agent.id, "tk", { delayMs: 1_000, everyMs: 1_000 });
  assert.equal(node.store.timers.count(agent.id), 2);
  await node.agents.remove("tk");
  assert.equal(node.store.timers.total(), 0);
});

Deno.test("a stopped agent's timers wait and fire, late, once it is started again", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("tk", agentBytes("timekeeper_as"));
  using client = new TestParticipant(node);
  await client.request("tk", "set 60000 register-asker");
  const agent = node.agents.get("tk");
  await node.agents.stop("tk");
  const timer = node.timers.create(agent.id, "tk", { delayMs: 50, payload: "waited" });
  await until(() => Date.now() > timer.dueAt + 1_100, "the timer's due time is well past");
  assert.equal(node.store.timers.list(agent.id).some((t) => t.id === timer.id), true);
  await node.agents.start("tk");
  const fired = await client.next((m) => _fired(m, "waited"));
  assert.equal((fired.content as TimerFired).late, true);
  assert.equal(_state(node, "tk", "fired:waited"), "1");
});
