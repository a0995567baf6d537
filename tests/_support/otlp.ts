/**
 * A real OTLP/HTTP receiver on loopback for tests: takes what Deno's
 * built-in exporter posts (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) to
 * `/v1/traces`, `/v1/metrics` and `/v1/logs`, and keeps it.
 */

/** One span as OTLP/JSON carries it (the fields tests read). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
}

interface _KeyValue {
  key: string;
  value: Record<string, unknown>;
}

function _value(v: Record<string, unknown>): unknown {
  if ("arrayValue" in v) {
    const values = (v.arrayValue as { values?: Record<string, unknown>[] }).values ?? [];
    return values.map(_value);
  }
  const [, value] = Object.entries(v)[0] ?? [];
  return typeof value === "string" && "intValue" in v ? Number(value) : value;
}

function _attributes(list: _KeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, _value(kv.value)]));
}

/** A running receiver; dispose to stop it. */
export interface OtlpReceiver extends AsyncDisposable {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Names of every metric received. */
  metricNames: Set<string>;
  /** Log records' bodies with their trace and span ids. */
  logs: { body: unknown; traceId: string; spanId: string }[];
}

/** Starts a receiver on a free loopback port. */
export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const metricNames = new Set<string>();
  const logs: OtlpReceiver["logs"] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    const path = new URL(req.url).pathname;
    if (path === "/v1/traces") {
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({ ...s, attributes: _attributes(s.attributes), status: s.status ?? {} });
          }
        }
      }
    } else if (path === "/v1/metrics") {
      for (const rm of body.resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) metricNames.add(m.name);
        }
      }
    } else if (path === "/v1/logs") {
      for (const rl of body.resourceLogs ?? []) {
        for (const sl of rl.scopeLogs ?? []) {
          for (const r of sl.logRecords ?? []) {
            logs.push({ body: _value(r.body ?? {}), traceId: r.traceId, spanId: r.spanId });
          }
        }
      }
    }
    return Response.json({});
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    metricNames,
    logs,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Environment that turns Deno's exporter on towards `receiver`, flushing fast. */
export function otlpEnv(receiver: OtlpReceiver): Record<string, string> {
  return {
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_METRIC_EXPORT_INTERVAL: "200",
    OTEL_SERVICE_NAME: "caxton-test",
  };
}
