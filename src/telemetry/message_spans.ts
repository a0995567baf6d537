/**
 * The message path's spans (route, deliver, agent handle) written straight to
 * OTLP/JSON, beside the SDK's tracer for everything else. Why: these are the
 * spans of every traced hop, and through the SDK each cost ~10 µs to record
 * (Span object, attribute sanitising, processor) plus more to export (the
 * OTLP transformer) on the main thread — three per hop; here a span is one
 * small record, encoded once per batch. Ids are the caller's, so an agent
 * worker can name a direct hop's spans before they are recorded.
 *
 * Batching follows the SDK's batch processor settings: OTEL_BSP_SCHEDULE_DELAY
 * (default 5,000 ms), OTEL_BSP_MAX_QUEUE_SIZE (2,048; past it spans are
 * dropped, never the node slowed), OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512).
 * Headers: OTEL_EXPORTER_OTLP_HEADERS / OTEL_EXPORTER_OTLP_TRACES_HEADERS.
 */
import type { AttributeValue } from "@opentelemetry/api";

/** One finished span of the message path. Times are ms, performance.timeOrigin-based. */
export interface MessageSpan {
  name: string;
  /** OTLP span kind: 1 internal, 4 producer, 5 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  start: number;
  end: number;
  attributes: Record<string, AttributeValue | undefined>;
  /** An error's message (status ERROR), or undefined (status unset). */
  error?: string;
}

/** Where message spans go. */
export interface MessageSpanSink {
  record(span: MessageSpan): void;
}

/** Options of {@linkcode MessageSpanExport}. */
export interface MessageSpanExportOptions {
  url: string;
  serviceName: string;
  headers?: Record<string, string>;
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

/** Nanoseconds since the epoch as a decimal string (ms × 10^6 overflows a double's integers). */
function _nanos(ms: number): string {
  let whole = Math.floor(ms);
  let micro = Math.round((ms - whole) * 1_000);
  if (micro === 1_000) {
    whole++;
    micro = 0;
  }
  return `${whole}${String(micro).padStart(3, "0")}000`;
}

/** An attribute value as OTLP/JSON text. */
function _value(value: AttributeValue): string {
  if (typeof value === "string") return `{"stringValue":${JSON.stringify(value)}}`;
  if (Array.isArray(value)) {
    let values = "";
    for (const v of value) values += (values ? "," : "") + _value(v as AttributeValue);
    return `{"arrayValue":{"values":[${values}]}}`;
  }
  if (typeof value === "boolean") return `{"boolValue":${value}}`;
  return Number.isInteger(value)
    ? `{"intValue":"${value}"}`
    : `{"doubleValue":${JSON.stringify(value)}}`;
}

/**
 * One span as OTLP/JSON text, written out directly: no object per span and
 * attribute for JSON.stringify to walk (this encoding was most of a traced
 * hop's cost on the main thread). Ids are hex, so only names and values need
 * escaping.
 */
function _otlp(span: MessageSpan): string {
  let attributes = "";
  for (const key in span.attributes) {
    const value = span.attributes[key];
    if (value === undefined) continue;
    attributes += `${attributes ? "," : ""}{"key":${JSON.stringify(key)},"value":${_value(value)}}`;
  }
  const status = span.error === undefined
    ? "{}"
    : `{"code":2,"message":${JSON.stringify(span.error)}}`;
  return `{"traceId":"${span.traceId}","spanId":"${span.spanId}","parentSpanId":"${span.parentSpanId}",` +
    `"name":${JSON.stringify(span.name)},"kind":${span.kind},` +
    `"startTimeUnixNano":"${_nanos(span.start)}","endTimeUnixNano":"${_nanos(span.end)}",` +
    `"attributes":[${attributes}],"status":${status}}`;
}

/** Reads `k=v,k2=v2` (values URL-encoded), as OTEL_EXPORTER_OTLP_HEADERS is written. */
export function otlpHeaders(...specs: (string | undefined)[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const spec of specs) {
    for (const pair of spec?.split(",") ?? []) {
      const at = pair.indexOf("=");
      if (at <= 0) continue;
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(
        pair.slice(at + 1).trim(),
      );
    }
  }
  return headers;
}

/** Batches message spans and posts them as OTLP/JSON to the traces endpoint. */
export class MessageSpanExport implements MessageSpanSink {
  readonly #options: Required<MessageSpanExportOptions>;
  #queue: MessageSpan[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The one post on its way, if any: a slow collector makes spans wait in the
   * queue (and past its bound be dropped), never posts pile up.
   */
  #posting: Promise<void> | undefined;
  #closed = false;
  /** Spans dropped because the queue was full. */
  dropped = 0;

  constructor(options: MessageSpanExportOptions) {
    this.#options = {
      url: options.url,
      serviceName: options.serviceName,
      headers: options.headers ?? {},
      scheduledDelayMillis: options.scheduledDelayMillis ?? 5_000,
      maxQueueSize: options.maxQueueSize ?? 2_048,
      maxExportBatchSize: options.maxExportBatchSize ?? 512,
    };
  }

  record(span: MessageSpan): void {
    if (this.#closed) return;
    const queue = this.#queue;
    if (queue.length >= this.#options.maxQueueSize) {
      this.dropped++;
      return;
    }
    queue.push(span);
    this.#schedule();
  }

  /** Exports what is queued and waits for every post; later spans are dropped. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    while (this.#posting) await this.#posting;
    while (this.#queue.length > 0) await this.#post();
  }

  /** A full batch goes now (unless a post is on its way); a partial one after the delay. */
  #schedule(): void {
    if (this.#posting || this.#queue.length === 0) return;
    if (this.#queue.length >= this.#options.maxExportBatchSize) {
      void this.#post();
    } else if (this.#timer === undefined) {
      const timer = setTimeout(() => void this.#post(), this.#options.scheduledDelayMillis);
      // A pending batch never keeps the process alive (shutdown exports it).
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Posts one batch (at most maxExportBatchSize spans), then schedules what is left. */
  #post(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#posting) return this.#posting;
    const spans = this.#queue.splice(0, this.#options.maxExportBatchSize);
    if (spans.length === 0) return Promise.resolve();
    let encoded = "";
    for (const span of spans) encoded += (encoded ? "," : "") + _otlp(span);
    const service = JSON.stringify(this.#options.serviceName);
    const body = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",` +
      `"value":{"stringValue":${service}}}]},"scopeSpans":[{"scope":{"name":"caxton"},` +
      `"spans":[${encoded}]}]}]}`;
    const posting = fetch(this.#options.url, {
      method: "POST",
      headers: { ...this.#options.headers, "content-type": "application/json" },
      body,
    }).then((response) => response.body?.cancel()).catch(() => {
      // The collector is away: these spans are lost, as the SDK's exporter loses them.
    }).finally(() => {
      this.#posting = undefined;
      if (!this.#closed) this.#schedule();
    });
    this.#posting = posting;
    return posting;
  }
}
