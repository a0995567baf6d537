import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

Deno.test("a restart mid-canary rolls back: the agent runs its old version, the deployment says why", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    await node.agents.deploy("svc", agentBytes("echo_wat"));
    await node.agents.deployments.deploy(
      "svc",
      agentBytes("counter_wat"),
      ROLLOUT_OPTIONS.parse({ strategy: "canary", intervalMs: 600_000, sample: 0 }),
    );
  }
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
  {
    await using node = await startTestNode({ dataDir: dir.path });
    await node.agents.deploy("svc", agentBytes("echo_wat"));
    await node.agents.deployments.deploy(
      "svc",
      agentBytes("counter_wat"),
      ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 600_000, sample: 0 }),
    );
  }
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const latest = node.agents.deployments.status("svc");
  assert.equal(latest.status, "completed");
  assert.equal(node.agents.get("svc").version, 2);
  assert.equal((await me.request("svc", "x")).content, "1");
});
