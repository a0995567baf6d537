/**
 * A deployment's spans (issue 16): one `caxton.deployment` span from the
 * request to its end, with a child per validation stage
 * (`caxton.deployment.stage`) and per step it held (`caxton.deployment.step`:
 * a canary share from one step to the next, a blue-green switch to its
 * retirement), each with its result. Deployments are rare: every one is
 * recorded, whatever the sample ratio.
 */
import { ROOT_CONTEXT, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { ATTR, SPAN } from "./attributes.ts";

/** Who a deployment is for, as its spans' attributes say. */
export interface DeploymentSpanInfo {
  agent: string;
  deploymentId: number;
  strategy: string;
}

/** The open spans of one deployment. */
export class DeploymentSpans {
  readonly #tracer: Tracer;
  readonly #root: Span;
  #step: Span | null = null;

  constructor(tracer: Tracer, info: DeploymentSpanInfo) {
    this.#tracer = tracer;
    this.#root = tracer.startSpan(`${SPAN.deployment} ${info.strategy}`, {
      attributes: {
        [ATTR.agentName]: info.agent,
        [ATTR.deploymentId]: info.deploymentId,
        [ATTR.strategy]: info.strategy,
      },
    });
  }

  /** A stage that ran `ms` up to now, passed or failed with `difference`. */
  stage(stage: string, ms: number, difference?: string): void {
    const end = performance.timeOrigin + performance.now();
    const span = this.#child(`${SPAN.deploymentStage} ${stage}`, end - ms);
    span.setAttribute(ATTR.stage, stage);
    span.setAttribute(ATTR.result, difference === undefined ? "passed" : "failed");
    if (difference !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: difference });
    }
    span.end(end);
  }

  /**
   * A rollout step: a share change (step, switch, promote, rollback) ends the
   * step span open and opens the next; an analysis marks the open one; a
   * retirement ends it.
   */
  step(kind: string, share: number, passed?: boolean, reason?: string): void {
    if (kind === "analysis") {
      this.#step?.addEvent("analysis", {
        [ATTR.result]: passed ? "passed" : "failed",
        ...(reason ? { [ATTR.failure]: reason } : {}),
      });
      if (passed === false) this.#step?.setAttribute(ATTR.result, "failed");
      return;
    }
    this.#endStep();
    if (kind === "retire") return;
    this.#step = this.#child(SPAN.deploymentStep);
    this.#step.setAttribute(ATTR.stepKind, kind);
    this.#step.setAttribute(ATTR.share, share);
    if (reason) this.#step.setAttribute(ATTR.failure, reason);
  }

  /** The deployment ended with `status` (its spans end). */
  end(status: string, reason?: string): void {
    this.#endStep();
    this.#root.setAttribute(ATTR.status, status);
    if (status === "failed_validation" || status === "rolled_back") {
      this.#root.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? status });
    }
    this.#root.end();
  }

  #endStep(): void {
    if (!this.#step) return;
    this.#step.end();
    this.#step = null;
  }

  #child(name: string, startTime?: number): Span {
    return this.#tracer.startSpan(
      name,
      { ...(startTime === undefined ? {} : { startTime }), attributes: {} },
      trace.setSpan(ROOT_CONTEXT, this.#root),
    );
  }
}
