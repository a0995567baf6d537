/**
 * What a deployment tells the outside as it goes, besides its report and the
 * agent's events: the `/metrics` series (by strategy, stage, step kind and
 * outcome; never by agent) and, with tracing on, its spans — one per
 * deployment, a child per stage and per step.
 */
import type { DeploymentMetrics, DeploymentSpans } from "../../telemetry/mod.ts";
import type { StageResult, StepRecord } from "./rollout_report.ts";

/** One deployment's metrics and spans, either of which may be off. */
export class DeploymentSignals {
  readonly #metrics: DeploymentMetrics | undefined;
  readonly #spans: DeploymentSpans | undefined;
  readonly #strategy: string;
  #started = false;
  #ended = false;

  constructor(
    strategy: string,
    sinks: { metrics?: DeploymentMetrics; spans?: DeploymentSpans } = {},
  ) {
    this.#strategy = strategy;
    this.#metrics = sinks.metrics;
    this.#spans = sinks.spans;
  }

  /** A validation stage ended. */
  stage(stage: StageResult): void {
    this.#metrics?.stage(stage.stage, stage.passed ? "passed" : "failed", stage.ms / 1000);
    this.#spans?.stage(stage.stage, stage.ms, stage.failure?.difference);
  }

  /** The new version began serving (or shadowing). */
  started(): void {
    this.#started = true;
    this.#metrics?.started(this.#strategy);
  }

  /** A step of the rollout (as recorded in its report). */
  step(step: Omit<StepRecord, "at">): void {
    const result = step.passed === undefined ? "done" : step.passed ? "passed" : "failed";
    this.#metrics?.step(step.kind, result);
    this.#spans?.step(step.kind, step.share, step.passed, step.reason);
  }

  /** The deployment ended with `status`; once. */
  ended(status: string, reason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#metrics?.ended(this.#strategy, status, this.#started);
    this.#spans?.end(status, reason);
  }
}
