/**
 * The canary's analysis, once per interval: its failure rate, p99 handling
 * time and fuel per message against the stable version's over the same
 * window. Inconclusive (too few canary messages) holds the step.
 */
import type { RolloutThresholds } from "./rollout_options.ts";
import type { VersionFigures } from "./rollout_report.ts";

/** An analysis' verdict and, when it failed, why (first failed check). */
export type Verdict =
  | { kind: "passed" }
  | { kind: "inconclusive"; reason: string }
  | { kind: "failed"; reason: string };

/** Handling times this close are equal whatever their ratio (timer resolution, noise). */
const _P99_SLACK_MS = 2;
/** Fewer messages than this make a p99 the window's maximum: one GC pause would decide. */
const _P99_MIN_SAMPLES = 100;

/** Judges one window of canary figures against the stable ones. */
export function analyse(
  stable: VersionFigures,
  canary: VersionFigures,
  thresholds: RolloutThresholds,
): Verdict {
  if (canary.messages < thresholds.minMessages) {
    return {
      kind: "inconclusive",
      reason: `${canary.messages} canary message(s), fewer than ${thresholds.minMessages}`,
    };
  }
  const increase = canary.failureRate - stable.failureRate;
  if (increase > thresholds.maxFailureRateIncrease) {
    return {
      kind: "failed",
      reason: `failure rate ${_pct(canary.failureRate)} vs stable ${
        _pct(stable.failureRate)
      } (${canary.traps} trap(s)); allowed +${_pct(thresholds.maxFailureRateIncrease)}`,
    };
  }
  if (
    Math.min(stable.messages, canary.messages) >= _P99_MIN_SAMPLES &&
    canary.p99Ms > stable.p99Ms * thresholds.maxP99Ratio &&
    canary.p99Ms > stable.p99Ms + _P99_SLACK_MS
  ) {
    return {
      kind: "failed",
      reason:
        `p99 handling ${canary.p99Ms} ms vs stable ${stable.p99Ms} ms; allowed ×${thresholds.maxP99Ratio}`,
    };
  }
  if (
    stable.messages > 0 && canary.fuelPerMessage > stable.fuelPerMessage * thresholds.maxFuelRatio
  ) {
    return {
      kind: "failed",
      reason:
        `fuel per message ${canary.fuelPerMessage} vs stable ${stable.fuelPerMessage}; allowed ×${thresholds.maxFuelRatio}`,
    };
  }
  return { kind: "passed" };
}

function _pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
