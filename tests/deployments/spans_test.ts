/**
 * With tracing on, a deployment arrives at a real OTLP receiver as one trace:
 * a `caxton.deployment` span, a child per validation stage with its result,
 * and a child per canary step with its share and analyses; the deployment
 * metrics go out over OTLP beside them.
 */
import assert from "node:assert/strict";
import { ATTR, SPAN } from "../../src/telemetry/mod.ts";
import { tempDataDir, until } from "../_support/node.ts";
import { otlpEnv, type ReceivedSpan, runFixture, startOtlpReceiver } from "../_support/otlp.ts";

const FIXTURE = new URL("../fixtures/otel_deploy_node.ts", import.meta.url).pathname;
const AGENTS = new URL("../../build/agents", import.meta.url).pathname;

Deno.test("a deployment's stages and canary steps are spans under its deployment span, at a real OTLP receiver", async () => {
  await using receiver = startOtlpReceiver();
  using dir = tempDataDir();
  const out = await runFixture<{ failed: number; canary: number; status: string }>(
    FIXTURE,
    [dir.path, AGENTS],
    otlpEnv(receiver),
  );
  assert.equal(out.status, "promoted");
  const rootOf = (id: number) =>
    receiver.spans.find((s) =>
      s.name.startsWith(`${SPAN.deployment} `) && s.attributes[ATTR.deploymentId] === id
    );
  await until(
    () => rootOf(out.failed) !== undefined && rootOf(out.canary) !== undefined,
    "both deployment spans",
  );
  const childrenOf = (root: ReceivedSpan) =>
    receiver.spans.filter((s) => s.traceId === root.traceId && s.parentSpanId === root.spanId);

  // The failed blue-green: static passed, sandbox failed with the difference; the deployment failed.
  const failed = rootOf(out.failed)!;
  assert.equal(failed.name, `${SPAN.deployment} bluegreen`);
  assert.equal(failed.attributes[ATTR.agentName], "svc");
  assert.equal(failed.attributes[ATTR.status], "failed_validation");
  assert.equal(failed.status.code, 2);
  const failedStages = childrenOf(failed).map((s) => [s.name, s.attributes[ATTR.result]]);
  assert.deepEqual(failedStages.sort(), [
    [`${SPAN.deploymentStage} sandbox`, "failed"],
    [`${SPAN.deploymentStage} static`, "passed"],
  ]);
  const sandbox = childrenOf(failed).find((s) => s.name.endsWith("sandbox"))!;
  assert.match(sandbox.status.message ?? "", /^trapped/);

  // The canary: its two stages, then a step span per share it held, inside the deployment's time.
  const canary = rootOf(out.canary)!;
  assert.equal(canary.attributes[ATTR.status], "promoted");
  const children = childrenOf(canary);
  assert.deepEqual(
    children.filter((s) => s.name.startsWith(SPAN.deploymentStage)).map((s) =>
      s.attributes[ATTR.result]
    ),
    ["passed", "passed"],
  );
  const steps = children.filter((s) => s.name === SPAN.deploymentStep)
    .sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
  assert.deepEqual(
    steps.map((s) => [s.attributes[ATTR.stepKind], s.attributes[ATTR.share]]),
    [["step", 50], ["step", 100], ["promote", 100]],
  );
  // The same deployments' metrics went out over OTLP too.
  await until(
    () =>
      ["caxton_deployments_total", "caxton_deployment_steps_total"].every((m) =>
        receiver.metricNames.has(m)
      ),
    "the deployment metrics over OTLP",
  );
  for (const span of children) {
    assert.ok(BigInt(span.startTimeUnixNano) >= BigInt(canary.startTimeUnixNano) - 1_000_000n);
    assert.ok(BigInt(span.endTimeUnixNano) <= BigInt(canary.endTimeUnixNano));
  }
});
