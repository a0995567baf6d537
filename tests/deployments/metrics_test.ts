/**
 * `/metrics` counts deployments by strategy and outcome, times their stages
 * by stage and result, counts rollout steps by kind and result, and shows
 * the rollouts under way — with no series per agent.
 */
import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { Traffic } from "./_traffic.ts";

/** The deployment series of `/metrics`, read over loopback: series → value. */
async function deploymentSeries(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  return new Map(
    [...text.matchAll(/^(caxton_deployment\S*) (\S+)$/gm)].map(([, s, v]) => [s!, Number(v)]),
  );
}

Deno.test("/metrics shows deployments by outcome, stage times by result, steps and rollouts under way", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path }, { serve: true });
  await node.agents.deploy("svc", agentBytes("echo_wat"));
  const failed = await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", tests: [{ content: "boom" }] }),
  );
  assert.equal(failed.status, "failed_validation");
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(50);
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("trap_once"),
    ROLLOUT_OPTIONS.parse({ strategy: "canary", steps: [50, 100], intervalMs: 300, sample: 0 }),
  );
  const during = await deploymentSeries(node.url!);
  assert.equal(during.get('caxton_deployments_active{strategy="canary"}'), 1);
  await until(
    () => node.agents.deployments.status("svc").status !== "progressing",
    "the canary's end",
  );
  assert.equal(node.agents.deployments.status("svc").status, "promoted");
  await traffic.stop();
  const s = await deploymentSeries(node.url!);
  assert.equal(
    s.get('caxton_deployments_total{strategy="bluegreen",outcome="failed_validation"}'),
    1,
  );
  assert.equal(s.get('caxton_deployments_total{strategy="canary",outcome="promoted"}'), 1);
  assert.equal(s.get('caxton_deployments_active{strategy="canary"}'), 0);
  assert.equal(s.get('caxton_deployment_stage_seconds_count{stage="static",result="passed"}'), 2);
  assert.equal(s.get('caxton_deployment_stage_seconds_count{stage="sandbox",result="failed"}'), 1);
  assert.equal(s.get('caxton_deployment_stage_seconds_count{stage="sandbox",result="passed"}'), 1);
  assert.equal(s.get('caxton_deployment_steps_total{kind="step",result="done"}'), 2, "50 then 100");
  assert.ok(s.get('caxton_deployment_steps_total{kind="analysis",result="passed"}')! >= 2);
  assert.equal(s.get('caxton_deployment_steps_total{kind="promote",result="done"}'), 1);
  assert.equal(s.get('caxton_deployment_steps_total{kind="retire",result="done"}'), 1);
  for (const series of s.keys()) assert.doesNotMatch(series, /agent=/, "no series per agent");
});
