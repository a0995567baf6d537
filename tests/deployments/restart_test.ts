import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

/** Deploys echo as `svc`, starts a rollout to counter with `options`, and stops the node mid-way. */
async function _rollOutEchoToCounter(dataDir: string, options: Record<string, unknown>) {
  await using node = await startTestNode({ dataDir });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_wat"),
    ROLLOUT_OPTIONS.parse({ ...options, sample: 0 }),
  );
}

Deno.test("a restart mid-canary rolls back: the agent runs its old version, the deployment says why", async () => {
  using dir = tempDataDir();
  await _rollOutEchoToCounter(dir.path, { strategy: "canary", intervalMs: 600_000 });
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const latest = node.agents.deployments.status("svc");
  assert.equal(latest.status, "rolled_back");
  assert.match(latest.report.reason!, /restarted mid-rollout/);
  assert.equal(node.agents.get("svc").version, 1);
  assert.equal((await me.request("svc", "old")).content, "old");
});

Deno.test("a restart during a blue-green grace period keeps the switched-to version", async () => {
  using dir = tempDataDir();
  await _rollOutEchoToCounter(dir.path, { strategy: "bluegreen", graceMs: 600_000 });
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const latest = node.agents.deployments.status("svc");
  assert.equal(latest.status, "completed");
  assert.equal(node.agents.get("svc").version, 2);
  assert.equal((await me.request("svc", "x")).content, "1");
});
