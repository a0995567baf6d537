/**
 * The sandbox stage checks memory and fuel against the agent's limits: a new
 * version that grows its memory past `memoryPages` (in `caxton_init` or on a
 * replayed message), or burns more fuel on a replayed message than allowed,
 * fails the stage and never sees traffic; the report names the stage, the
 * message and the difference.
 */
import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

Deno.test("a version whose caxton_init grows memory past the agent's limit fails the sandbox stage", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"), { limits: { memoryPages: 2 } });
  const failed = await node.agents.deployments.deploy(
    "svc",
    agentBytes("memory_grower"),
    ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", sample: 0 }),
  );
  assert.equal(failed.status, "failed_validation");
  const stage = failed.report.stages.at(-1)!;
  assert.equal(stage.stage, "sandbox");
  assert.equal(stage.failure!.message, undefined, "init, before any message");
  assert.equal(
    stage.failure!.difference,
    "caxton_init grew memory to 3 pages, 1 over the agent's limit of 2 pages (memoryPages)",
  );
  assert.equal(node.agents.get("svc").version, 1);
});

Deno.test("a version that grows memory past the limit on a replayed request fails the sandbox at that request", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("svc", agentBytes("echo_wat"), { limits: { memoryPages: 8 } });
  for (const content of ["first", "second", "third"]) await me.request("svc", content);
  await node.router.flushLog();
  // Init takes it to 3 pages, the first request to 7, the second to 11 > 8.
  const failed = await node.agents.deployments.deploy(
    "svc",
    agentBytes("memory_grower"),
    ROLLOUT_OPTIONS.parse({ strategy: "canary", sample: 10 }),
  );
  assert.equal(failed.status, "failed_validation");
  const stage = failed.report.stages.at(-1)!;
  assert.equal(stage.stage, "sandbox");
  assert.equal(stage.messages, 2);
  assert.equal((stage.failure!.message as { content: unknown }).content, "second");
  assert.equal(
    stage.failure!.difference,
    "handling it grew memory to 11 pages, 3 over the agent's limit of 8 pages (memoryPages)",
  );
  assert.equal((await me.request("svc", "still echo")).content, "still echo");
});

Deno.test("a version that burns more fuel on a replayed message than allowed fails the sandbox stage", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"), {
    limits: { fuelPerMessage: 2_000_000 },
  });
  const tests = [{ content: "100", expectContent: '"25"' }, { content: "1000000" }];
  // Over the deployment's own ceiling: the message is handled, its fuel is too much.
  const greedy = await node.agents.deployments.deploy(
    "svc",
    agentBytes("compute_as"),
    ROLLOUT_OPTIONS.parse({ tests: tests.slice(0, 1), maxFuelPerMessage: 1_000 }),
  );
  assert.equal(greedy.status, "failed_validation");
  const over = greedy.report.stages.at(-1)!;
  assert.equal(over.stage, "sandbox");
  assert.equal((over.failure!.message as { content: unknown }).content, "100");
  assert.match(over.failure!.difference, /^used \d+ fuel, over 1000$/);
  // Over the agent's fuel limit: the message runs out of fuel.
  const exhausted = await node.agents.deployments.deploy(
    "svc",
    agentBytes("compute_as"),
    ROLLOUT_OPTIONS.parse({ tests }),
  );
  assert.equal(exhausted.status, "failed_validation");
  const stage = exhausted.report.stages.at(-1)!;
  assert.equal(stage.messages, 2, "the small sieve passed, the big one did not");
  assert.equal((stage.failure!.message as { content: unknown }).content, "1000000");
  assert.match(stage.failure!.difference, /fuel/);
  assert.equal(node.agents.get("svc").version, 1);
});
