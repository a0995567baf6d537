/**
 * A real OTLP/HTTP receiver on loopback for tests: takes what an OTLP/JSON
 * exporter (Caxton's, or Deno's built-in with OTEL_EXPORTER_OTLP_PROTOCOL=http/json) posts to
 * `/v1/traces`, `/v1/metrics` and `/v1/logs`, and keeps it.
 */

import assert from "node:assert/strict";

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
  /** Log records' bodies with their severity and trace and span ids. */
  logs: { body: unknown; severityText: string; traceId: string; spanId: string }[];
  /** `service.name` of every resource that sent anything. */
  serviceNames: Set<string>;
}

/** Starts a receiver on a free loopback port. */
export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const metricNames = new Set<string>();
  const logs: OtlpReceiver["logs"] = [];
  const serviceNames = new Set<string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    const path = new URL(req.url).pathname;
    for (
      const r of [
        ...body.resourceSpans ?? [],
        ...body.resourceMetrics ?? [],
        ...body.resourceLogs ?? [],
      ]
    ) {
      const name = _attributes(r.resource?.attributes)["service.name"];
      if (typeof name === "string") serviceNames.add(name);
    }
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
            logs.push({
              body: _value(r.body ?? {}),
              severityText: r.severityText ?? "",
              traceId: r.traceId,
              spanId: r.spanId,
            });
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
    serviceNames,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/**
 * Environment that turns tracing, and so Caxton's own exporter, on towards
 * `receiver`, flushing fast. No OTEL_SERVICE_NAME: the default is under test.
 */
export function otlpEnv(receiver: OtlpReceiver): Record<string, string> {
  return {
    CAXTON_TRACING: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_BLRP_SCHEDULE_DELAY: "50",
    OTEL_METRIC_EXPORT_INTERVAL: "200",
  };
}

/**
 * Runs a node fixture (a script that prints one JSON line) and returns what it printed. Deno flushes its exporter
 * when the process exits; that flush has been seen to block the exiting
 * thread for good on a loaded machine, so once the output is in, the child
 * gets a grace period and is then killed (by its PID: only the process this
 * test started).
 */
export async function runFixture<T>(
  fixture: string,
  args: string[],
  env: Record<string, string>,
): Promise<T> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-all", fixture, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  try {
    while (!out.includes("\n") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
  } finally {
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    if (!exited) child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
  }
  assert.ok(out.includes("\n"), `the node fixture printed nothing: ${await stderr}`);
  await stderr;
  return JSON.parse(out.trim().split("\n").at(-1)!);
}
