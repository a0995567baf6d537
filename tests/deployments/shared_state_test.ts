import assert from "node:assert/strict";
import { ROLLOUT_OPTIONS } from "../../src/lifecycle/deployments/rollout_options.ts";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { Traffic } from "./_traffic.ts";

Deno.test("two versions serving one agent share one state: a counter split across them never repeats or skips a count", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  // counter.wat and counter.ts keep the count the same way ("count", u64 LE).
  await node.agents.deploy("svc", agentBytes("counter_wat"));
  using traffic = new Traffic(node, "svc");
  traffic.start();
  await traffic.answeredMore(50);
  await node.agents.deployments.deploy(
    "svc",
    agentBytes("counter_as"),
    ROLLOUT_OPTIONS.parse({
      strategy: "canary",
      steps: [50, 100],
      intervalMs: 400,
      sample: 0,
      thresholds: { maxFuelRatio: 1_000, maxP99Ratio: 1_000 },
    }),
  );
  await until(
    () => node.agents.deployments.status("svc").status !== "progressing",
    "the canary's end",
  );
  await traffic.answeredMore(50);
  const counts = await traffic.stop();
  const done = node.agents.deployments.status("svc");
  assert.equal(done.status, "promoted", JSON.stringify(done.report));
  const first = done.report.steps.find((s) => s.kind === "analysis")!;
  assert.ok(first.stable!.messages > 0 && first.candidate!.messages > 0, "both versions counted");
  assert.deepEqual([counts.unanswered, counts.duplicates, counts.failures], [0, 0, 0]);
  const seen = traffic.answers.map((a) => Number(a.reply.content)).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i + 1));
});
