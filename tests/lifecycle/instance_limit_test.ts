/**
 * The live-instance limit (issue 21): past `scale.maxLiveInstances` a message
 * for a passivated agent passivates an idle one to make room, and with none
 * idle it is refused with `instance_limit` (problem+json on the API, a FIPA
 * failure to an agent or participant) — never a node out of kernel maps.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { maxLiveInstances } from "../../src/lifecycle/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

// No sweep passivates during a test: only the limit does.
const SCALE = { ...defaultScaleConfig(), passivateAfterMs: 600_000, maxLiveInstances: 20 };
const names = Array.from({ length: 21 }, (_, i) => `c-${String(i).padStart(2, "0")}`);

Deno.test("the 21st agent messaged under a limit of 20 passivates an idle one, which keeps its state", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  await node.agents.deployMany(names, agentBytes("counter_wat"));
  for (const name of names.slice(0, 20)) assert.equal((await me.request(name, "x")).content, "1");
  assert.equal(node.agents.activity().active, 20);
  assert.equal((await me.request("c-20", "x")).content, "1", "answered, not refused");
  const figures = node.agents.activity();
  assert.equal(figures.instanceLimitPassivations, 1);
  assert.equal(figures.instanceLimitRefusals, 0);
  assert.equal(figures.active, 20, "one instance given back for the new one");
  assert.equal(node.agents.get("c-00").worker, null, "the oldest idle agent was passivated");
  assert.equal((await me.request("c-00", "x")).content, "2", "its count came back from the store");
});

Deno.test("with every live instance busy or kept alive, the next is refused with instance_limit and sent again later", async () => {
  await using n = await startApiNode({ scale: SCALE });
  const node = n.node;
  for (const name of names.slice(0, 20)) {
    await node.agents.deploy(name, agentBytes("echo_wat"), { keepAlive: true });
  }
  await node.agents.deployMany(["late"], agentBytes("counter_wat"));
  assert.equal(node.agents.activity().active, 20);

  await call(`${n.api}/participants/dave`, { method: "PUT" });
  const refused = await call(`${n.api}/participants/dave/messages`, {
    method: "POST",
    json: { performative: "request", receiver: ["late"], content: "x" },
  });
  assertProblem(refused, 503, "instance_limit");
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.match(refused.body.detail, /20 live instances/);

  using me = new TestParticipant(node);
  me.send({ performative: "request", receiver: ["late"], content: "x", replyWith: "r1" });
  const failure = await me.next((m) => m.inReplyTo === "r1");
  assert.equal(failure.performative, "failure");
  assert.equal((failure.content as { code: string }).code, "instance_limit");

  const metrics = await (await fetch(`${n.url}/metrics`)).text();
  assert.match(metrics, /^caxton_instances_live_max 20$/m);
  assert.match(metrics, /^caxton_instance_limit_refusals_total 2$/m);
  assert.match(metrics, /^caxton_agents_active 20$/m);

  // Room made by a stop: the refused request, sent again, is handled; nothing was half-taken.
  await node.agents.stop("c-00");
  assert.equal((await me.request("late", "x")).content, "1", "its first message handled");
  assert.equal(node.agents.activity().instanceLimitRefusals, 2);
});

Deno.test("a burst of wakes past the limit is counted as it comes: the rest are refused, none lost", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  using me = new TestParticipant(node);
  const burst = Array.from({ length: 30 }, (_, i) => `b-${String(i).padStart(2, "0")}`);
  await node.agents.deployMany(burst, agentBytes("counter_wat"));
  for (const name of burst) {
    me.send({ performative: "request", receiver: [name], content: "x", replyWith: name });
  }
  await until(() => me.received.length === 30, "an answer or a refusal for each");
  const refused = me.received.filter((m) => m.performative === "failure");
  assert.equal(refused.length, 10, "the ten past the limit, while the first twenty activated");
  assert.ok(refused.every((m) => (m.content as { code: string }).code === "instance_limit"));
  assert.equal(node.agents.activity().active, 20);
  assert.equal(node.agents.activity().instanceLimitRefusals, 10);
});

Deno.test("a timer due for a passivated agent at the limit still fires (a timer has no one to be refused to)", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  for (const name of names.slice(0, 20)) {
    await node.agents.deploy(name, agentBytes("echo_wat"), { keepAlive: true });
  }
  await node.agents.deployMany(["late"], agentBytes("counter_wat"));
  const late = node.agents.get("late");
  node.timers.create(late.id, "late", { delayMs: 0 });
  // It handles the timer's inform (and the failure its answer to "caxton" comes back as).
  await until(() => node.agents.get("late").counters.handled >= 1, "the timer handled");
  assert.equal(node.store.timers.count(late.id), 0, "fired once and gone");
  assert.equal(node.agents.activity().instanceLimitRefusals, 0);
  assert.equal(node.agents.activity().active, 21, "one over the limit, inside its margin");
});

Deno.test("the default limit leaves a fifth of vm.max_map_count to the process, two maps per instance", () => {
  assert.equal(maxLiveInstances(0, 65_530), 26_212);
  assert.equal(maxLiveInstances(0, 262_144), 104_857);
  assert.equal(maxLiveInstances(500, 65_530), 500, "a configured limit wins");
});
