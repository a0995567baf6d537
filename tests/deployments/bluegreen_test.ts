import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { Traffic } from "./_traffic.ts";

Deno.test("blue-green under continuous traffic: switch and rollback lose, duplicate and leave unanswered nothing", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(200);
  const switched = await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_wat"),
    ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 60_000, sample: 0 }),
  );
  assert.equal(switched.status, "switched");
  assert.deepEqual(switched.report.stages.map((s) => [s.stage, s.passed]), [["static", true], [
    "sandbox",
    true,
  ]]);
  assert.equal(node.agents.get("svc").version, 2);
  await traffic.answeredMore(300);
  // The new version answers now: counts, not echoes.
  assert.ok(traffic.answers.some((a) => /^\d+$/.test(String(a.reply.content))));
  const rolledBack = await node.agents.deployments.rollback("svc");
  assert.equal(rolledBack.status, "rolled_back");
  assert.equal(
    node.agents.get("svc").version,
    3,
    "the rollback is a new version with the old module",
  );
  await traffic.answeredMore(200);
  const counts = await traffic.stop();
  assert.equal(counts.unanswered, 0, JSON.stringify(counts));
  assert.equal(counts.duplicates, 0, JSON.stringify(counts));
  assert.equal(counts.failures, 0, JSON.stringify(counts));
  assert.equal(counts.answered, counts.sent);
  using me = new TestParticipant(node);
  assert.equal((await me.request("svc", "old again")).content, "old again");
});

Deno.test("blue-green: after the grace period the old version is gone; rollback after promotion restores it", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  const instancesBefore = node.pool.status().instances;
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_wat"),
    ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 50, sample: 0 }),
  );
  await until(() => node.agents.deployments.status("svc").status === "completed", "grace over");
  assert.equal(node.pool.status().instances, instancesBefore, "the old instance was unloaded");
  assert.equal((await me.request("svc", "x")).content, "1");
  const back = await node.agents.deployments.rollback("svc");
  assert.equal(back.status, "rolled_back");
  assert.equal((await me.request("svc", "echo me")).content, "echo me");
  assert.deepEqual(
    node.agents.deployments.history("svc").map((d) => [d.strategy, d.status]),
    [["bluegreen", "rolled_back"]],
  );
});

Deno.test("a version that fails the sandbox never sees traffic; the report names stage, message and difference", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  const trapping = await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({
      strategy: "bluegreen",
      tests: [{ content: "fine" }, { content: "boom" }],
    }),
  );
  assert.equal(trapping.status, "failed_validation");
  const stage = trapping.report.stages.at(-1)!;
  assert.equal(stage.stage, "sandbox");
  assert.equal((stage.failure!.message as { content: unknown }).content, "boom");
  assert.match(stage.failure!.difference, /^trapped/);
  const wrong = await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_wat"),
    ROLLOUT_OPTIONS.parse({ tests: [{ content: "hello", expectContent: '^"hello"$' }] }),
  );
  assert.equal(wrong.status, "failed_validation");
  assert.match(
    wrong.report.stages.at(-1)!.failure!.difference,
    /replied content "1", expected to match/,
  );
  const invalid = await node.agents.deployments.deploy(
    "svc",
    agentBytes("forbidden_import"),
    ROLLOUT_OPTIONS.parse({}),
  );
  assert.equal(invalid.report.stages.at(-1)!.stage, "static");
  assert.equal(node.agents.get("svc").version, 1);
  assert.equal((await me.request("svc", "still echo")).content, "still echo");
  assert.equal(node.agents.deployments.history("svc").length, 3);
  const events = node.agents.events("svc").filter((e) => e.kind === "deployment");
  assert.ok(
    events.some((e) => /sandbox stage failed: trapped/.test(e.detail)),
    JSON.stringify(events),
  );
});

Deno.test("ten blue-green switches with no grace under traffic: messages in flight at the switch are answered once", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc", { window: 48 });
  traffic.start();
  await traffic.answeredMore(100);
  const versions = [agentBytes("trap_once"), agentBytes("echo_wat")];
  const options = ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 0, sample: 3 });
  for (let i = 0; i < 10; i++) {
    await node.agents.deployments.deploy("svc", versions[i % 2]!, options);
    await until(() => node.agents.deployments.status("svc").status === "completed", "switch done");
  }
  await traffic.answeredMore(100);
  const counts = await traffic.stop();
  assert.deepEqual(
    [counts.unanswered, counts.duplicates, counts.failures, counts.answered],
    [0, 0, 0, counts.sent],
    JSON.stringify(counts),
  );
  assert.equal(node.agents.get("svc").version, 11);
  assert.ok(traffic.answers.every((a) => a.reply.content === a.request));
});

Deno.test("the sandbox replays the agent's recent logged requests: a version that traps on one is stopped", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  for (const content of ["a", "boom", "b"]) await me.request("svc", content);
  await node.router.flushLog();
  const stopped = await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({ strategy: "canary", sample: 10 }),
  );
  assert.equal(stopped.status, "failed_validation");
  const stage = stopped.report.stages.at(-1)!;
  assert.equal(stage.stage, "sandbox");
  assert.equal((stage.failure!.message as { content: unknown }).content, "boom");
  assert.equal(stage.messages, 2, "the second logged request failed it");
});
