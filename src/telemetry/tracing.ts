/**
 * Caxton's own spans, made on the main thread with `@opentelemetry/api` and
 * exported by Caxton's own exporter (otlp_export.ts), or by Deno's built-in
 * OpenTelemetry under OTEL_DENO=true. Every span is
 * parented explicitly by a W3C traceparent: the message's, the caller's, or
 * the span that caused it, so no context manager sits on the message path.
 *
 * The chain of one conversation: route (child of the message's traceparent;
 * its id becomes the message's new traceparent) → deliver (receiver, from
 * routing to outcome) → agent handle (times measured in the worker, fuel,
 * outcome) → route of each message the agent sent while handling → …
 */
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { type AclMessage, newSpanId, newTraceId, parseTraceparent } from "../acl/mod.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { CaxtonMetrics } from "./metrics.ts";
import { isSampled, sampledAtRatio } from "./sampling.ts";

/** What one handled delivery produced, as the tracer needs it. */
export interface HandledDelivery {
  /** The message as routed (its traceparent names the route span). */
  message: AclMessage;
  receiver: string;
  /** When the router accepted it (ms, performance.timeOrigin-based), if known. */
  routedAt?: number;
  /** When the worker started and ended handling it, if the delivery was timed. */
  startedAt?: number;
  endedAt?: number;
  fuelUsed: number;
  failure: string | null;
  trapped: boolean;
}

/** Options of {@linkcode Telemetry}. */
export interface TelemetryOptions {
  /** Ratio of new traces sampled (parent-based: a parent's decision is kept). */
  sampleRatio?: number;
  metrics: CaxtonMetrics;
  /** Caxton's exporter's tracer; defaults to the global one (Deno's, under OTEL_DENO=true). */
  tracer?: Tracer;
}

function _now(): number {
  return performance.timeOrigin + performance.now();
}

function _traceparent(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}`;
}

/** The context whose span is the one `traceparent` names (a sampled parent). */
function _parent(traceparent: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceparent.slice(3, 35),
    spanId: traceparent.slice(36, 52),
    traceFlags: 1,
    isRemote: true,
  });
}

function _messageAttributes(message: AclMessage): Attributes {
  const attributes: Attributes = {
    [ATTR.messagingSystem]: "caxton",
    [ATTR.performative]: message.performative,
    [ATTR.receiver]: message.receiver,
  };
  if (message.sender !== undefined) attributes[ATTR.sender] = message.sender;
  if (message.conversationId !== undefined) {
    attributes[ATTR.conversationId] = message.conversationId;
  }
  if (message.protocol !== undefined) attributes[ATTR.protocol] = message.protocol;
  return attributes;
}

/**
 * Spans and per-message metrics of a node with telemetry on. Build one in
 * main.ts and hand it to the router, the agent manager and the API.
 */
export class Telemetry {
  readonly metrics: CaxtonMetrics;
  readonly #tracer: Tracer;
  readonly #ratio: number;

  constructor(options: TelemetryOptions) {
    this.metrics = options.metrics;
    this.#ratio = options.sampleRatio ?? 0.01;
    this.#tracer = options.tracer ?? trace.getTracer("caxton");
  }

  /**
   * Counts a routed message and, when its trace is sampled, records the
   * route span. `parent` is the traceparent it continues (the caller's, or
   * the span that sent it). Returns the traceparent to stamp on the message
   * (the route span's), or undefined to stamp as usual (an unsampled parent).
   */
  route(message: AclMessage, parent: string | undefined): string | undefined {
    this.metrics.routed(message.performative);
    if (parent === undefined || parseTraceparent(parent) === null) {
      const traceId = newTraceId();
      if (!sampledAtRatio(traceId, this.#ratio)) return `00-${traceId}-${newSpanId()}-00`;
      return this.#routeSpan(message, ROOT_CONTEXT);
    }
    if (!isSampled(parent)) return undefined;
    return this.#routeSpan(message, _parent(parent));
  }

  #routeSpan(message: AclMessage, parent: Context): string {
    const span = this.#tracer.startSpan(SPAN.route, {
      kind: SpanKind.PRODUCER,
      attributes: { ..._messageAttributes(message), [ATTR.messagingOperation]: "send" },
    }, parent);
    const stamp = _traceparent(span);
    span.end();
    return stamp;
  }

  /** Whether deliveries of a message with this traceparent are traced (timed in the worker). */
  traced(traceparent: string | undefined): boolean {
    return isSampled(traceparent);
  }

  /**
   * Records one delivery's outcome: the delivery latency metric and, when
   * traced, the deliver and agent-handle spans. Returns the handle span's
   * traceparent (what the agent sent continues from it), or undefined.
   */
  delivered(delivery: HandledDelivery): string | undefined {
    const now = _now();
    if (delivery.routedAt !== undefined) {
      this.metrics.deliveryLatency((now - delivery.routedAt) / 1000);
    }
    const traceparent = delivery.message.traceparent;
    if (!isSampled(traceparent)) return undefined;
    const attributes = _messageAttributes(delivery.message);
    const deliver = this.#tracer.startSpan(SPAN.deliver, {
      kind: SpanKind.CONSUMER,
      startTime: delivery.routedAt ?? delivery.startedAt ?? now,
      attributes: {
        ...attributes,
        [ATTR.messagingOperation]: "process",
        [ATTR.destination]: delivery.receiver,
      },
    }, _parent(traceparent!));
    const outcome = delivery.failure === null ? "handled" : delivery.trapped ? "trapped" : "failed";
    const handle = this.#tracer.startSpan(SPAN.handle, {
      startTime: delivery.startedAt ?? now,
      attributes: {
        ...attributes,
        [ATTR.agentName]: delivery.receiver,
        [ATTR.fuelUsed]: delivery.fuelUsed,
        [ATTR.outcome]: outcome,
      },
    }, trace.setSpan(ROOT_CONTEXT, deliver));
    if (delivery.failure !== null) {
      handle.setAttribute(ATTR.failure, delivery.failure);
      handle.setStatus({ code: SpanStatusCode.ERROR, message: delivery.failure });
      deliver.setStatus({ code: SpanStatusCode.ERROR, message: delivery.failure });
    }
    const stamp = _traceparent(handle);
    handle.end(delivery.endedAt ?? now);
    deliver.end(now);
    return stamp;
  }

  /** Runs a lifecycle operation (deploy, start, stop, remove…) inside its span. */
  async lifecycle<T>(operation: string, agent: string, run: () => Promise<T>): Promise<T> {
    const span = this.#tracer.startSpan(`${SPAN.lifecycle} ${operation}`, {
      attributes: { [ATTR.operation]: operation, [ATTR.agentName]: agent },
    });
    try {
      return await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The tracer, for the HTTP middleware and tool call spans. */
  get tracer(): Tracer {
    return this.#tracer;
  }

  /** Whether a new trace with no parent is sampled (a fresh id decides). */
  sampleRoot(): boolean {
    return sampledAtRatio(newTraceId(), this.#ratio);
  }
}
