/**
 * What tracing costs. Each configuration runs in its own child node
 * (bench/telemetry_node.ts), because Deno's OpenTelemetry turns on only from
 * the environment at process start:
 *
 * - off: no OTEL_DENO (tracing off, the default);
 * - on at the default production sampling: OTEL_DENO=true, parent-based,
 *   ratio 0.01 (Caxton's CAXTON_TRACE_SAMPLE_RATIO and Deno's own
 *   OTEL_TRACES_SAMPLER for its HTTP server spans), exporting over OTLP/HTTP
 *   to a receiver here that reads and drops everything;
 * - on at ratio 1.0.
 *
 * Router throughput is bench/router.ts's echo ping-pong, with the message log
 * off (direct delivery inside workers) and on (every message through the main
 * thread's router). API p50 is sequential GET /api/v1/agents/echo from this
 * process, which has no OpenTelemetry. RUNS rounds alternate the
 * configurations; each figure is the median.
 */
import { median, type Metric, percentile, report } from "./_report.ts";

const CHILD = new URL("./telemetry_node.ts", import.meta.url).pathname;
const RUNS = 3;
const REQUESTS = 2_000;

interface ChildFigures {
  memory: number;
  durable: number;
  costs: Record<string, number>;
  p50: number;
}

function sink(): { url: string; spans: () => number } & AsyncDisposable {
  let spans = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const text = await req.text();
    if (req.url.endsWith("/v1/traces")) spans += (text.match(/"spanId"/g) ?? []).length;
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans: () => spans,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function runChild(env: Record<string, string>): Promise<ChildFigures> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-all", CHILD],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the bench node exited: ${seen}`);
    seen += value;
  }
  const figures = JSON.parse(seen.trim());
  try {
    const url = `${figures.url}/api/v1/agents/echo`;
    for (let i = 0; i < 300; i++) await (await fetch(url)).arrayBuffer();
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await (await fetch(url)).arrayBuffer();
      times.push((performance.now() - t0) * 1000);
    }
    return { ...figures, p50: percentile(times, 50) };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
  }
}

function otelEnv(url: string, ratio: number): Record<string, string> {
  return {
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
    OTEL_DENO_CONSOLE: "ignore",
    CAXTON_TRACE_SAMPLE_RATIO: String(ratio),
  };
}

const loss = (off: number, on: number) => ((off - on) / off) * 100;
const slower = (off: number, on: number) => ((on - off) / off) * 100;

export async function run(): Promise<void> {
  await using receiver = sink();
  const off: ChildFigures[] = [];
  const sampled: ChildFigures[] = [];
  const full: ChildFigures[] = [];
  for (let i = 0; i < RUNS; i++) {
    off.push(await runChild({}));
    sampled.push(await runChild(otelEnv(receiver.url, 0.01)));
    full.push(await runChild(otelEnv(receiver.url, 1)));
  }
  const m = (list: ChildFigures[], pick: (f: ChildFigures) => number) => median(list.map(pick));
  const summary = (list: ChildFigures[]) => ({
    memory: m(list, (f) => f.memory),
    durable: m(list, (f) => f.durable),
    p50: m(list, (f) => f.p50),
  });
  const o = summary(off);
  const s = summary(sampled);
  const f = summary(full);
  const parts = (x: typeof o) => ({
    memory: loss(o.memory, x.memory),
    durable: loss(o.durable, x.durable),
    api: slower(o.p50, x.p50),
  });
  const ps = parts(s);
  const pf = parts(f);
  const worst = (p: typeof ps) => Math.max(p.memory, p.durable, p.api);
  const costs = full.at(-1)!.costs;
  const describe = (p: typeof ps) =>
    `router loss ${p.memory.toFixed(1)}% (log off, direct), ${
      p.durable.toFixed(1)
    }% (log on); API p50 +${p.api.toFixed(1)}%`;
  report(
    "telemetry",
    [
      {
        metric: "tracing_overhead_pct",
        value: Number(worst(ps).toFixed(2)),
        unit: "%",
        goal: "<= 5",
        note: `parent-based ratio 0.01: ${describe(ps)}`,
      },
      {
        metric: "tracing_overhead_pct_full",
        value: Number(worst(pf).toFixed(2)),
        unit: "%",
        note: `ratio 1.0: ${describe(pf)}`,
      },
      { metric: "route_msgs_per_sec_memory_off", value: Math.round(o.memory), unit: "msg/s" },
      { metric: "route_msgs_per_sec_memory_sampled", value: Math.round(s.memory), unit: "msg/s" },
      { metric: "route_msgs_per_sec_memory_full", value: Math.round(f.memory), unit: "msg/s" },
      { metric: "route_msgs_per_sec_durable_off", value: Math.round(o.durable), unit: "msg/s" },
      {
        metric: "route_msgs_per_sec_durable_sampled",
        value: Math.round(s.durable),
        unit: "msg/s",
      },
      { metric: "route_msgs_per_sec_durable_full", value: Math.round(f.durable), unit: "msg/s" },
      { metric: "api_p50_us_off", value: Number(o.p50.toFixed(1)), unit: "us" },
      { metric: "api_p50_us_sampled", value: Number(s.p50.toFixed(1)), unit: "us" },
      { metric: "api_p50_us_full", value: Number(f.p50.toFixed(1)), unit: "us" },
      ...Object.entries(costs).map(([name, us]) => ({
        metric: `otel_${name}`,
        value: Number(us.toFixed(3)),
        unit: "us",
        note: "per call, main thread, OTEL_DENO=true",
      })),
      {
        metric: "spans_exported",
        value: receiver.spans(),
        unit: "spans",
        note: "received by the bench's OTLP sink over all runs",
      },
    ] satisfies Metric[],
  );
}
