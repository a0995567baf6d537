/**
 * Deployment instruments (issue 16): how deployments end, how long their
 * validation stages take, their steps, and how many are under way. Labels
 * are strategy, stage, step kind and result only — never the agent — so the
 * series stay few however many agents are deployed.
 */
import type { Histogram, Meter, ObservableResult } from "@opentelemetry/api";
import { METRIC } from "./attributes.ts";
import {
  type HistogramValue,
  type MetricValue,
  newHistogram,
  observeHistogram,
  type Sample,
} from "./metrics.ts";

/** Upper bounds (seconds) of the stage histogram: a sandbox replays messages, so seconds. */
export const STAGE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Counters keyed by their labels. */
class _Counts {
  readonly #byKey = new Map<string, Sample>();
  add(labels: Record<string, string>, by = 1): void {
    const key = Object.values(labels).join("\u0000");
    const entry = this.#byKey.get(key);
    if (entry) entry.value += by;
    else this.#byKey.set(key, { labels, value: by });
  }
  get samples(): Sample[] {
    return [...this.#byKey.values()].map((s) => ({ labels: s.labels, value: s.value }));
  }
}

/** The deployment families, read by `/metrics` and OTLP alike. */
export class DeploymentMetrics {
  readonly #ended = new _Counts();
  readonly #steps = new _Counts();
  readonly #active = new _Counts();
  readonly #stages = new Map<string, { labels: Record<string, string>; value: HistogramValue }>();
  readonly #otelStages: Histogram;

  constructor(meter: Meter) {
    this.#otelStages = meter.createHistogram(METRIC.deploymentStageSeconds, {
      advice: { explicitBucketBoundaries: [...STAGE_BUCKETS] },
      unit: "s",
    });
    const observe = (counts: _Counts) => (result: ObservableResult) => {
      for (const s of counts.samples) result.observe(s.value, s.labels);
    };
    meter.createObservableCounter(METRIC.deployments).addCallback(observe(this.#ended));
    meter.createObservableCounter(METRIC.deploymentSteps).addCallback(observe(this.#steps));
    meter.createObservableGauge(METRIC.deploymentsActive).addCallback(observe(this.#active));
  }

  /** A validation stage ended (`result`: passed or failed) after `seconds`. */
  stage(stage: string, result: "passed" | "failed", seconds: number): void {
    const key = `${stage}\u0000${result}`;
    let entry = this.#stages.get(key);
    if (!entry) {
      entry = { labels: { stage, result }, value: newHistogram(STAGE_BUCKETS) };
      this.#stages.set(key, entry);
    }
    observeHistogram(entry.value, seconds);
    this.#otelStages.record(seconds, entry.labels);
  }

  /** A rollout of `strategy` began serving (the stages passed). */
  started(strategy: string): void {
    this.#active.add({ strategy });
  }

  /** A rollout step: step, analysis (result passed/failed), switch, promote, rollback, retire. */
  step(kind: string, result: "passed" | "failed" | "done"): void {
    this.#steps.add({ kind, result });
  }

  /** A deployment ended with `outcome` (its final status); `started` if it had begun serving. */
  ended(strategy: string, outcome: string, started: boolean): void {
    this.#ended.add({ strategy, outcome });
    if (started) this.#active.add({ strategy }, -1);
  }

  /** The families as they stand now. */
  families(): MetricValue[] {
    return [
      {
        name: METRIC.deployments,
        help: "Deployments ended, by strategy and outcome",
        type: "counter",
        samples: this.#ended.samples,
      },
      {
        name: METRIC.deploymentsActive,
        help: "Rollouts under way, by strategy",
        type: "gauge",
        samples: this.#active.samples,
      },
      {
        name: METRIC.deploymentStageSeconds,
        help: "Deployment validation stage duration, by stage and result, seconds",
        type: "histogram",
        samples: [...this.#stages.values()],
      },
      {
        name: METRIC.deploymentSteps,
        help: "Rollout steps, by kind and result",
        type: "counter",
        samples: this.#steps.samples,
      },
    ];
  }
}
