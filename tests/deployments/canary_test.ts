import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { wat } from "../_support/wat.ts";
import { Traffic } from "./_traffic.ts";

Deno.test("canary steps up by conversation share and promotes itself; no message lost or answered twice", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(100);
  // trap_once is echo.wat plus a trap on "boom" (never sent here): same replies, same fuel.
  const started = await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({ strategy: "canary", steps: [20, 50, 100], intervalMs: 300, sample: 5 }),
  );
  assert.equal(started.status, "progressing");
  assert.equal(started.report.share, 20);
  await until(
    () => node.agents.deployments.status("svc").status !== "progressing",
    "the canary's end",
  );
  const done = node.agents.deployments.status("svc");
  assert.equal(done.status, "promoted", JSON.stringify(done.report));
  assert.deepEqual(
    done.report.steps.filter((s) => s.kind === "step").map((s) => s.share),
    [20, 50, 100],
  );
  assert.ok(done.report.steps.some((s) => s.kind === "analysis" && s.passed));
  const events = node.agents.events("svc").filter((e) => e.kind === "deployment").map((e) =>
    e.detail
  );
  assert.ok(events.some((d) => /step: share 50%/.test(d)), JSON.stringify(events));
  assert.ok(events.some((d) => /analysis: share \d+%, passed/.test(d)));
  assert.equal(node.agents.get("svc").version, 2);
  await traffic.answeredMore(100);
  const counts = await traffic.stop();
  assert.deepEqual(
    [counts.unanswered, counts.duplicates, counts.failures, counts.answered],
    [0, 0, 0, counts.sent],
  );
  // Echo either way: every reply carries its own request's content.
  assert.ok(traffic.answers.every((a) => a.reply.content === a.request));
});

Deno.test("a canary that traps on some input is rolled back by analysis; senders still get one answer each", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc", { content: (i) => i % 4 === 0 ? "boom" : `m${i}` });
  traffic.start();
  await traffic.answeredMore(50);
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({
      strategy: "canary",
      steps: [50, 100],
      intervalMs: 400,
      sample: 0,
      thresholds: { maxFailureRateIncrease: 0.05, minMessages: 5, failureThreshold: 1 },
    }),
  );
  await until(
    () => node.agents.deployments.status("svc").status === "rolled_back",
    "the analysis rolled the canary back",
  );
  const report = node.agents.deployments.status("svc").report;
  const failed = report.steps.find((s) => s.kind === "analysis" && s.passed === false)!;
  assert.match(failed.reason!, /failure rate/);
  assert.ok(failed.candidate!.traps > 0);
  assert.equal(failed.stable!.traps, 0);
  assert.equal(node.agents.get("svc").version, 1);
  assert.equal(
    node.agents.get("svc").state,
    "running",
    "the canary's traps never failed the agent",
  );
  const failuresAtRollback = (await traffic.stop()).failures;
  traffic.start();
  await traffic.answeredMore(100);
  const counts = await traffic.stop();
  assert.equal(counts.failures, failuresAtRollback, "after the rollback, boom is echoed again");
  assert.deepEqual([counts.unanswered, counts.duplicates], [0, 0]);
});

Deno.test("canary: manual abort and manual promote", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  const options = ROLLOUT_OPTIONS.parse({ strategy: "canary", intervalMs: 600_000, sample: 0 });
  await node.agents.deployments.deploy("svc", agentBytes("echo_as"), options);
  await assert.rejects(
    () => node.agents.deploy("svc", agentBytes("echo_as")),
    /while a rollout is under way/,
  );
  assert.equal((await node.agents.deployments.abort("svc")).status, "rolled_back");
  assert.equal(node.agents.get("svc").version, 1);
  await node.agents.deployments.deploy("svc", agentBytes("echo_as"), options);
  assert.equal((await node.agents.deployments.promote("svc")).status, "promoted");
  assert.equal(node.agents.get("svc").version, 2);
  await assert.rejects(() => node.agents.deployments.promote("svc"), /no deployment under way/);
});

Deno.test("a slower canary (same replies, a busy loop per message) is rolled back by the analysis", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("trap_once"));
  // trap_once.wat with its trap replaced by ~300,000 loop turns before replying.
  const source = Deno.readTextFileSync(
    new URL("../fixtures/hostile/trap_once.wat", import.meta.url),
  ).replace(
    "(then (unreachable)))",
    "(then (nop)))\n    (local.set $q (i32.const 300000))\n    (loop $spin (local.set $q (i32.sub (local.get $q) (i32.const 1))) (br_if $spin (local.get $q)))",
  );
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(50);
  await node.agents.deployments.deploy(
    "svc",
    wat(source),
    ROLLOUT_OPTIONS.parse({
      strategy: "canary",
      steps: [50, 100],
      intervalMs: 500,
      sample: 0,
      thresholds: { maxFailureRateIncrease: 0.05, minMessages: 5, failureThreshold: 1 },
    }),
  );
  await until(
    () => node.agents.deployments.status("svc").status === "rolled_back",
    "the analysis rolled the slow canary back",
  );
  const counts = await traffic.stop();
  const failed = node.agents.deployments.status("svc").report.steps.find((s) =>
    s.kind === "analysis" && s.passed === false
  )!;
  assert.match(failed.reason!, /p99 handling|fuel per message/);
  assert.ok(failed.candidate!.fuelPerMessage > failed.stable!.fuelPerMessage);
  assert.deepEqual([counts.unanswered, counts.duplicates, counts.failures], [0, 0, 0]);
});
