/**
 * Caxton's own OTLP/HTTP exporter, built from the OpenTelemetry JS SDK.
 *
 * Why not Deno's built-in exporter (OTEL_DENO=true): it also opens a span for
 * every `Deno.serve` request, at any sampling ratio, which alone cost +16 %
 * on the API (docs/PERFORMANCE.md, Telemetry), and it captures `console.*` as
 * log records, so every line Caxton writes to stderr arrived with severity
 * ERROR. Here Caxton's spans, metrics and log records go out through SDK
 * providers that Caxton owns; the HTTP server is traced only by Caxton's own
 * middleware, and only for sampled requests.
 *
 * Settings follow the OpenTelemetry environment variables an operator knows:
 * OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), the per-signal
 * OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS
 * (read by the SDK's exporters), OTEL_SERVICE_NAME (default `caxton`),
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY and
 * OTEL_METRIC_EXPORT_INTERVAL. The payload is OTLP/JSON over HTTP.
 */
import { context, type Meter, type Tracer } from "@opentelemetry/api";
import type { Logger as OtelLogger } from "@opentelemetry/api-logs";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MessageSpanExport, otlpHeaders } from "./message_spans.ts";

/** The service name spans, metrics and logs carry unless OTEL_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = "caxton";

/** A running exporter: what Caxton's telemetry records through, and its shutdown. */
export interface OtlpExport extends AsyncDisposable {
  readonly tracer: Tracer;
  /** The message path's spans (route, deliver, handle), written without the SDK (message_spans.ts). */
  readonly messageSpans: MessageSpanExport;
  readonly meter: Meter;
  readonly logs: OtelLogger;
  readonly serviceName: string;
  /** Exports what is buffered and stops; idempotent. */
  shutdown(): Promise<void>;
}

function _number(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function _endpoint(env: Record<string, string | undefined>, signal: string): string {
  const own = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`];
  if (own) return own;
  const base = (env.OTEL_EXPORTER_OTLP_ENDPOINT || "http://localhost:4318").replace(/\/+$/, "");
  return `${base}/v1/${signal}`;
}

/**
 * Starts exporting to the OTLP endpoint `env` names, or returns null when
 * Deno's built-in exporter runs (OTEL_DENO=true): Caxton then records
 * through the global providers Deno registers, as before. Registers an
 * AsyncLocalStorage context manager (unless one is registered already, as
 * Deno's is under OTEL_DENO) so a span opened by the API middleware is the
 * parent of what the request causes (a deploy's lifecycle span).
 */
export function startOtlpExport(env: Record<string, string | undefined>): OtlpExport | null {
  if (env.OTEL_DENO === "true") return null;
  const serviceName = env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME;
  const resource = resourceFromAttributes({ "service.name": serviceName });
  const messageSpans = new MessageSpanExport({
    url: _endpoint(env, "traces"),
    serviceName,
    headers: otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    scheduledDelayMillis: _number(env.OTEL_BSP_SCHEDULE_DELAY),
    maxQueueSize: _number(env.OTEL_BSP_MAX_QUEUE_SIZE),
    maxExportBatchSize: _number(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
  });
  const tracing = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: _endpoint(env, "traces") }), {
        scheduledDelayMillis: _number(env.OTEL_BSP_SCHEDULE_DELAY),
      }),
    ],
  });
  const metering = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: _endpoint(env, "metrics") }),
        exportIntervalMillis: _number(env.OTEL_METRIC_EXPORT_INTERVAL),
      }),
    ],
  });
  const logging = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: _endpoint(env, "logs") }),
        scheduledDelayMillis: _number(env.OTEL_BLRP_SCHEDULE_DELAY),
      }),
    ],
  });
  // Returns false when a context manager is registered already (Deno's, under OTEL_DENO).
  const manager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(manager);
  let stopped: Promise<void> | undefined;
  const shutdown = () =>
    stopped ??= Promise.allSettled([
      tracing.shutdown(),
      messageSpans.shutdown(),
      metering.shutdown(),
      logging.shutdown(),
    ]).then(() => {
      if (ownsContext) context.disable();
    });
  return {
    tracer: tracing.getTracer("caxton"),
    messageSpans,
    meter: metering.getMeter("caxton"),
    logs: logging.getLogger("caxton"),
    serviceName,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
