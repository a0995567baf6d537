import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { Traffic } from "./_traffic.ts";

Deno.test("shadow: its replies never reach a sender, its state writes stay scratch, divergence is reported", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(50);
  const started = await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_wat"),
    ROLLOUT_OPTIONS.parse({ strategy: "shadow", durationMs: 0, sample: 0 }),
  );
  assert.equal(started.status, "shadowing");
  await until(
    () => (node.agents.deployments.status("svc").report.shadow?.compared ?? 0) >= 150,
    "150 replies compared",
  );
  const done = await node.agents.deployments.promote("svc");
  const counts = await traffic.stop();
  assert.equal(done.status, "completed");
  const shadow = done.report.shadow!;
  assert.ok(shadow.compared >= 150, JSON.stringify(shadow));
  assert.equal(shadow.diverged, shadow.compared, "a counter never echoes");
  assert.equal(shadow.divergenceRate, 1);
  assert.ok(shadow.examples.length > 0 && shadow.examples.length <= 10);
  // Every sender got exactly one reply, the stable echo; none of the shadow's counts.
  assert.deepEqual([counts.unanswered, counts.duplicates, counts.failures], [0, 0, 0]);
  assert.ok(traffic.answers.every((a) => a.reply.content === a.request));
  // The counter's writes went to its scratch copy only.
  const id = node.agents.get("svc").id;
  assert.equal(node.store.state.load(id).size, 0);
  assert.equal(node.agents.get("svc").version, 1, "a shadow never becomes the agent's version");
});

Deno.test("shadow of an identical version reports no divergence and ends after its duration", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({ strategy: "shadow", durationMs: 500, sample: 0 }),
  );
  await until(() => node.agents.deployments.status("svc").status === "completed", "shadow end");
  await traffic.stop();
  const shadow = node.agents.deployments.status("svc").report.shadow!;
  assert.ok(shadow.compared > 0);
  assert.equal(shadow.diverged, 0, JSON.stringify(shadow.examples));
});
