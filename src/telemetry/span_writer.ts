/**
 * How the message path's spans (route, deliver, handle) are written: straight
 * to Caxton's own batch of OTLP records (message_spans.ts), where the caller
 * names the ids, or through an OpenTelemetry tracer (Deno's built-in exporter
 * under OTEL_DENO=true), which picks its own.
 */
import {
  type Attributes,
  ROOT_CONTEXT,
  type SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { newSpanId, newTraceId } from "../acl/mod.ts";
import type { MessageSpanSink } from "./message_spans.ts";

/** A finished span to write. Times are ms, performance.timeOrigin-based. */
export interface SpanToWrite {
  name: string;
  kind: SpanKind;
  /** The parent's trace and span id; absent: a new trace. */
  parent?: { traceId: string; spanId: string };
  /** The span's own id, when the caller named it (honoured by `namesIds` writers only). */
  spanId?: string;
  start: number;
  end: number;
  attributes: Attributes;
  /** Status ERROR with this message. */
  error?: string;
}

/** Writes finished spans; returns each one's traceparent (sampled). */
export interface SpanWriter {
  /** Whether a span gets the id the caller named (so a worker can name a direct hop's spans). */
  readonly namesIds: boolean;
  write(span: SpanToWrite): string;
}

/** Spans as records in Caxton's own OTLP batch: ids as named (or new). */
export function sinkWriter(sink: MessageSpanSink): SpanWriter {
  return {
    namesIds: true,
    write(span) {
      const traceId = span.parent?.traceId ?? newTraceId();
      const spanId = span.spanId ?? newSpanId();
      sink.record({
        name: span.name,
        // OTLP counts kinds from 1 (unspecified 0), the API from 0.
        kind: span.kind + 1,
        traceId,
        spanId,
        parentSpanId: span.parent?.spanId ?? "",
        start: span.start,
        end: span.end,
        attributes: span.attributes,
        error: span.error,
      });
      return `00-${traceId}-${spanId}-01`;
    },
  };
}

/** Spans through an OpenTelemetry tracer: ids are the tracer's. */
export function tracerWriter(tracer: Tracer): SpanWriter {
  return {
    namesIds: false,
    write(span) {
      const parent = span.parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: span.parent.traceId,
          spanId: span.parent.spanId,
          traceFlags: 1,
          isRemote: true,
        })
        : ROOT_CONTEXT;
      const written = tracer.startSpan(span.name, {
        kind: span.kind,
        startTime: span.start,
        attributes: span.attributes,
      }, parent);
      if (span.error !== undefined) {
        written.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
      }
      const c = written.spanContext();
      written.end(span.end);
      return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}`;
    },
  };
}
