/**
 * A worker lost in the middle of a rollout (here: the watchdog gives up on
 * the worker of a new version that spins on "boom") ends the rollout at once,
 * keeping the version the agent's record names; every request is still
 * answered exactly once (those in flight on the lost worker with failure, as
 * for any lost worker) while traffic runs.
 */
import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { BUCKETS, conversationBucket } from "../../src/lifecycle/deployments/two_versions.ts";
import type { CaxtonNode } from "../../main.ts";
import type { Envelope } from "../../src/router/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { wat } from "../_support/wat.ts";
import { Traffic, type TrafficCounts } from "./_traffic.ts";

/** trap_once.wat, spinning on "boom" instead of trapping: its worker stops answering. */
const SPINS_ON_BOOM = wat(
  Deno.readTextFileSync(new URL("../fixtures/hostile/trap_once.wat", import.meta.url))
    .replace("(then (unreachable)))", "(then (loop $spin (br $spin))))"),
);
/** Enough fuel to outlive the watchdog (300 ms) before the deadline stops it. */
const LIMITS = { limits: { fuelPerMessage: 1_500_000_000 } };

/** Deploys "svc" (echo), starts traffic to it, then rolls SPINS_ON_BOOM out with `options`. */
async function rolloutUnderTraffic(node: CaxtonNode, options: unknown): Promise<Traffic> {
  await node.agents.deploy("svc", agentBytes("echo_wat"), LIMITS);
  const traffic = new Traffic(node, "svc");
  try {
    traffic.start();
    await traffic.answeredMore(50);
    await node.agents.deployments.deploy("svc", SPINS_ON_BOOM, ROLLOUT_OPTIONS.parse(options));
    return traffic;
  } catch (error) {
    traffic[Symbol.dispose]();
    throw error;
  }
}

function assertOnceEach(counts: TrafficCounts, traffic: Traffic): void {
  const text = JSON.stringify(counts);
  assert.equal(counts.unanswered, 0, text);
  assert.equal(counts.duplicates, 0, text);
  assert.equal(counts.answered, counts.sent, text);
  for (const { request, reply } of traffic.answers) {
    if (reply.performative !== "failure") assert.equal(reply.content, request);
  }
}

/** A conversation id the canary's share (percent) sends to the new version. */
function canaryConversation(share: number): string {
  for (let i = 0;; i++) {
    const conversationId = `to-canary-${i}`;
    const bucket = conversationBucket({ message: { conversationId } } as Envelope);
    if (bucket < share * BUCKETS / 100) return conversationId;
  }
}

Deno.test("the canary's worker is lost: the rollout rolls back, the old version serves on, every request answered once", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2, watchdogMs: 300 });
  using me = new TestParticipant(node);
  using traffic = await rolloutUnderTraffic(node, {
    strategy: "canary",
    steps: [50, 100],
    intervalMs: 60_000,
    sample: 0,
  });
  const boom = me.next((m) => m.inReplyTo === "boom", 10_000);
  me.send({
    performative: "request",
    receiver: ["svc"],
    content: "boom",
    replyWith: "boom",
    conversationId: canaryConversation(50),
  });
  assert.equal((await boom).performative, "failure");
  const ended = node.agents.deployments.status("svc");
  assert.equal(ended.status, "rolled_back");
  assert.match(ended.report.reason!, /worker was lost mid-rollout.*rolled back/);
  assert.equal(node.pool.status().stuckWorkers, 1, "the watchdog gave the worker up");
  await traffic.answeredMore(100);
  assertOnceEach(await traffic.stop(), traffic);
  assert.equal(node.agents.get("svc").version, 1);
  assert.equal((await me.request("svc", "boom")).content, "boom", "the old version answers");
});

Deno.test("after a blue-green switch the new version's worker is lost: the new version is kept and restarted, every request answered once", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 2, watchdogMs: 300 });
  using me = new TestParticipant(node);
  using traffic = await rolloutUnderTraffic(node, {
    strategy: "bluegreen",
    graceMs: 60_000,
    sample: 0,
  });
  assert.equal((await me.request("svc", "boom", 10_000)).performative, "failure");
  const ended = node.agents.deployments.status("svc");
  assert.equal(ended.status, "completed");
  assert.match(ended.report.reason!, /worker was lost mid-rollout.*version 2 kept/);
  await until(() => node.agents.get("svc").state === "running", "the agent restarted");
  await traffic.answeredMore(100);
  assertOnceEach(await traffic.stop(), traffic);
  assert.equal(node.agents.get("svc").version, 2);
  assert.ok(node.agents.events("svc").some((e) => e.kind === "watchdog"));
  assert.equal((await me.request("svc", "after")).content, "after");
});
