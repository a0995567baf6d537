import assert from "node:assert/strict";
import { analyse } from "../../src/lifecycle/deployments/canary_analysis.ts";
import { THRESHOLDS } from "../../src/lifecycle/deployments/rollout_options.ts";
import type { VersionFigures } from "../../src/lifecycle/deployments/rollout_report.ts";

const thresholds = THRESHOLDS.parse({});
const figures = (f: Partial<VersionFigures>): VersionFigures => ({
  messages: 200,
  failures: 0,
  traps: 0,
  failureRate: 0,
  p99Ms: 1,
  fuelPerMessage: 1_000,
  ...f,
});

Deno.test("the analysis passes a canary like the stable version and holds on too few messages", () => {
  assert.deepEqual(analyse(figures({}), figures({ p99Ms: 2.5 }), thresholds), { kind: "passed" });
  const held = analyse(figures({}), figures({ messages: 3 }), thresholds);
  assert.equal(held.kind, "inconclusive");
});

Deno.test("the analysis fails a canary on failure rate, p99 (with enough samples) and fuel", () => {
  const failing = analyse(
    figures({}),
    figures({ failureRate: 0.2, failures: 40, traps: 40 }),
    thresholds,
  );
  assert.equal(failing.kind, "failed");
  assert.match((failing as { reason: string }).reason, /failure rate 20% vs stable 0%/);
  const slow = analyse(figures({ p99Ms: 1 }), figures({ p99Ms: 12 }), thresholds);
  assert.match((slow as { reason: string }).reason, /p99 handling 12 ms vs stable 1 ms/);
  // 50 messages: a p99 is the window's max, one pause; not judged.
  const few = analyse(figures({ messages: 50 }), figures({ messages: 50, p99Ms: 12 }), thresholds);
  assert.equal(few.kind, "passed");
  const hungry = analyse(figures({}), figures({ fuelPerMessage: 2_500 }), thresholds);
  assert.match((hungry as { reason: string }).reason, /fuel per message 2500 vs stable 1000/);
});
