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
import { type Attributes, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { type AclMessage, newSpanId, newTraceId, parseTraceparent } from "../acl/mod.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { CaxtonMetrics } from "./metrics.ts";
import type { MessageSpanSink } from "./message_spans.ts";
import { sinkWriter, type SpanWriter, tracerWriter } from "./span_writer.ts";
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
  /** The handle span's id, named by the worker (what the agent sent continues from it). */
  handleSpanId?: string;
}

/** A direct delivery (inside one worker) as the tracer needs it: its route span was never made. */
export interface HandledDirect extends HandledDelivery {
  /** When the worker accepted it (ms, performance.timeOrigin-based). */
  routedAt: number;
  /** The traceparent of the handling that sent it: its route span's parent. */
  routeParent: string;
}

/** Options of {@linkcode Telemetry}. */
export interface TelemetryOptions {
  /** Ratio of new traces sampled (parent-based: a parent's decision is kept). */
  sampleRatio?: number;
  metrics: CaxtonMetrics;
  /** Caxton's exporter's tracer; defaults to the global one (Deno's, under OTEL_DENO=true). */
  tracer?: Tracer;
  /** Caxton's own batch of message-path spans (its exporter); absent: through `tracer`. */
  messageSpans?: MessageSpanSink;
}

function _now(): number {
  return performance.timeOrigin + performance.now();
}

/** The trace and span id a traceparent names. */
function _ids(traceparent: string): { traceId: string; spanId: string } {
  return { traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52) };
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
  /** Where route, deliver and handle spans go. */
  readonly #spans: SpanWriter;

  constructor(options: TelemetryOptions) {
    this.metrics = options.metrics;
    this.#ratio = options.sampleRatio ?? 0.01;
    this.#tracer = options.tracer ?? trace.getTracer("caxton");
    this.#spans = options.messageSpans
      ? sinkWriter(options.messageSpans)
      : tracerWriter(this.#tracer);
  }

  /**
   * Whether spans take ids an agent worker named, so direct deliveries are
   * traced (Caxton's exporter; not Deno's built-in one).
   */
  get spansFromWorkers(): boolean {
    return this.#spans.namesIds;
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
      return this.#routeSpan(message, undefined, _now());
    }
    if (!isSampled(parent)) return undefined;
    return this.#routeSpan(message, parent, _now());
  }

  #routeSpan(message: AclMessage, parent: string | undefined, at: number, spanId?: string) {
    return this.#spans.write({
      name: SPAN.route,
      kind: SpanKind.PRODUCER,
      parent: parent === undefined ? undefined : _ids(parent),
      spanId,
      start: at,
      end: at,
      attributes: { ..._messageAttributes(message), [ATTR.messagingOperation]: "send" },
    });
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
    if (!isSampled(delivery.message.traceparent)) return undefined;
    return this.#deliverSpans(delivery, now);
  }

  /**
   * Records a traced direct delivery's spans under the ids its worker named:
   * route (the id in the message's traceparent, child of the handling that
   * sent it), deliver, and handle. Returns the handle span's traceparent.
   */
  deliveredDirect(delivery: HandledDirect): string | undefined {
    const traceparent = delivery.message.traceparent;
    if (!isSampled(traceparent) || !isSampled(delivery.routeParent)) return undefined;
    const routeId = traceparent!.slice(36, 52);
    this.#routeSpan(delivery.message, delivery.routeParent, delivery.routedAt, routeId);
    return this.#deliverSpans(delivery, _now());
  }

  /** The deliver and handle spans of a traced delivery; the handle span's traceparent. */
  #deliverSpans(delivery: HandledDelivery, now: number): string {
    const attributes = _messageAttributes(delivery.message);
    const failure = delivery.failure ?? undefined;
    const deliver = this.#spans.write({
      name: SPAN.deliver,
      kind: SpanKind.CONSUMER,
      parent: _ids(delivery.message.traceparent!),
      start: delivery.routedAt ?? delivery.startedAt ?? now,
      end: now,
      attributes: {
        ...attributes,
        [ATTR.messagingOperation]: "process",
        [ATTR.destination]: delivery.receiver,
      },
      error: failure,
    });
    const outcome = failure === undefined ? "handled" : delivery.trapped ? "trapped" : "failed";
    attributes[ATTR.agentName] = delivery.receiver;
    attributes[ATTR.fuelUsed] = delivery.fuelUsed;
    attributes[ATTR.outcome] = outcome;
    if (failure !== undefined) attributes[ATTR.failure] = failure;
    return this.#spans.write({
      name: SPAN.handle,
      kind: SpanKind.INTERNAL,
      parent: _ids(deliver),
      spanId: delivery.handleSpanId,
      start: delivery.startedAt ?? now,
      end: delivery.endedAt ?? now,
      attributes,
      error: failure,
    });
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
