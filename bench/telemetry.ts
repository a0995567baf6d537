/**
 * What tracing costs. Each configuration runs in its own child node
 * (bench/telemetry_node.ts), tracing being chosen from the environment at
 * process start:
 *
 * - off: tracing off, the default;
 * - on at the default production sampling: CAXTON_TRACING=true, parent-based,
 *   ratio 0.01, exported by Caxton's own exporter (the OpenTelemetry JS SDK)
 *   over OTLP/HTTP to a receiver here that reads and drops everything;
 * - on at ratio 1.0;
 * - (API only) Deno's built-in exporter instead (OTEL_DENO=true at 0.01), the
 *   path tracing took before issue 15: it also instruments every Deno.serve
 *   request.
 *
 * tracing_overhead_cpu_pct asks the same of cost rather than rate: the CPU
 * time (all threads, /proc schedstat) the node spends per message routed, and
 * the API p50; a busy machine stretches rates far more than costs.
 *
 * Router throughput is bench/router.ts's echo ping-pong, with the message log
 * off (direct delivery inside workers) and on (every message through the main
 * thread's router), RUNS rounds alternating the configurations, medians.
 * API p50 is GET /api/v1/agents/echo from this process (no OpenTelemetry
 * here) to the three nodes running side by side, requests interleaved, so
 * the machine's background load falls on all three alike.
 */
import { median, type Metric, percentile, report } from "./_report.ts";

const CHILD = new URL("./telemetry_node.ts", import.meta.url).pathname;
const RUNS = 3;
const REQUESTS = 3_000;
const API_ROUNDS = 3;

interface RouterFigures {
  memory: number;
  durable: number;
  /** CPU ns the node process spent per message (all threads): a cost, steadier than a rate. */
  memoryCpu: number;
  durableCpu: number;
}

/** An OTLP/HTTP receiver that counts spans by service and span name, and keeps nothing else. */
function sink(): { url: string; spans: Map<string, number> } & AsyncDisposable {
  const spans = new Map<string, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    if (req.url.endsWith("/v1/traces")) {
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: { key: string }) =>
          a.key === "service.name"
        )?.value?.stringValue;
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) {
            const key = `${service} ${span.name.split(" ")[0]}`;
            spans.set(key, (spans.get(key) ?? 0) + 1);
          }
        }
      }
    }
    return Response.json({});
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function spawn(mode: "router" | "api", env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-all", CHILD, mode],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const firstLine = async () => {
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the bench node exited: ${seen}`);
      seen += value;
    }
    return JSON.parse(seen.trim());
  };
  return {
    firstLine,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await reader.cancel();
    },
  };
}

async function routerRun(env: Record<string, string>): Promise<RouterFigures> {
  await using child = spawn("router", env);
  return await child.firstLine();
}

/**
 * API p50 of the three nodes at once, requests interleaved round-robin, so
 * every configuration sees the same background load.
 */
async function apiP50(
  envs: Record<string, string>[],
): Promise<{ p50: number[]; costs: Record<string, number> }> {
  const children = envs.map((env) => spawn("api", env));
  try {
    const heads: { url: string; costs: Record<string, number> }[] = [];
    for (const child of children) heads.push(await child.firstLine());
    const urls = heads.map((h) => `${h.url}/api/v1/agents/echo`);
    // Three rounds of interleaved requests after a warm-up: the p50 of each, then their median.
    const rounds: number[][] = urls.map(() => []);
    for (let round = -1; round < API_ROUNDS; round++) {
      const times: number[][] = urls.map(() => []);
      for (let i = 0; i < (round < 0 ? 300 : REQUESTS / API_ROUNDS); i++) {
        for (const [k, url] of urls.entries()) {
          const t0 = performance.now();
          await (await fetch(url)).arrayBuffer();
          times[k]!.push((performance.now() - t0) * 1000);
        }
      }
      if (round >= 0) times.forEach((t, k) => rounds[k]!.push(percentile(t, 50)));
    }
    console.error(
      `API p50 per round (µs): ${
        rounds.map((r) => r.map((v) => v.toFixed(1)).join("/")).join(", ")
      }`,
    );
    return { p50: rounds.map((r) => median(r)), costs: heads[2]!.costs };
  } finally {
    for (const child of children) await child[Symbol.asyncDispose]();
  }
}

function otelEnv(url: string, ratio: number): Record<string, string> {
  return {
    CAXTON_TRACING: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_SERVICE_NAME: `caxton-${ratio}`,
    CAXTON_TRACE_SAMPLE_RATIO: String(ratio),
  };
}

/** Deno's built-in exporter (OTEL_DENO=true), as tracing ran before issue 15. */
function denoOtelEnv(url: string, ratio: number): Record<string, string> {
  return {
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
    OTEL_DENO_CONSOLE: "ignore",
    OTEL_SERVICE_NAME: `caxton-deno-${ratio}`,
    CAXTON_TRACE_SAMPLE_RATIO: String(ratio),
  };
}

const loss = (off: number, on: number) => ((off - on) / off) * 100;
const slower = (off: number, on: number) => ((on - off) / off) * 100;

export async function run(): Promise<void> {
  await using receiver = sink();
  const configs = [{}, otelEnv(receiver.url, 0.01), otelEnv(receiver.url, 1)];
  const routers: RouterFigures[][] = configs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, env] of configs.entries()) routers[k]!.push(await routerRun(env));
  }
  const perRun = (pick: (r: RouterFigures) => number) =>
    routers.map((runs) => runs.map((r) => Math.round(pick(r))).join("/")).join(", ");
  console.error(`router msg/s per run, log off (off, 0.01, 1.0): ${perRun((r) => r.memory)}`);
  console.error(`router msg/s per run, log on (off, 0.01, 1.0): ${perRun((r) => r.durable)}`);
  // A fourth node: Deno's built-in exporter at 0.01, the path before issue 15.
  const api = await apiP50([...configs, denoOtelEnv(receiver.url, 0.01)]);
  const summary = (k: number) => ({
    memory: median(routers[k]!.map((r) => r.memory)),
    durable: median(routers[k]!.map((r) => r.durable)),
    memoryCpu: median(routers[k]!.map((r) => r.memoryCpu)),
    durableCpu: median(routers[k]!.map((r) => r.durableCpu)),
    p50: api.p50[k]!,
  });
  const o = summary(0);
  const s = summary(1);
  const f = summary(2);
  const parts = (x: typeof o) => ({
    memory: loss(o.memory, x.memory),
    durable: loss(o.durable, x.durable),
    api: slower(o.p50, x.p50),
  });
  const ps = parts(s);
  const pf = parts(f);
  const worst = (p: typeof ps) => Math.max(p.memory, p.durable, p.api);
  // The same question asked of cost: extra CPU per message routed, and the API p50.
  const cpuParts = (x: typeof o) => ({
    memory: slower(o.memoryCpu, x.memoryCpu),
    durable: slower(o.durableCpu, x.durableCpu),
  });
  const cs = cpuParts(s);
  const cf = cpuParts(f);
  const describeCpu = (c: typeof cs, p: typeof ps) =>
    `router CPU per message +${c.memory.toFixed(1)}% (log off), +${
      c.durable.toFixed(1)
    }% (log on); API p50 +${p.api.toFixed(1)}%`;
  const costs = api.costs;
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
        metric: "tracing_overhead_cpu_pct",
        value: Number(Math.max(cs.memory, cs.durable, ps.api).toFixed(2)),
        unit: "%",
        goal: "<= 5",
        note: `parent-based ratio 0.01: ${describeCpu(cs, ps)}`,
      },
      {
        metric: "tracing_overhead_cpu_pct_full",
        value: Number(Math.max(cf.memory, cf.durable, pf.api).toFixed(2)),
        unit: "%",
        note: `ratio 1.0: ${describeCpu(cf, pf)}`,
      },
      {
        metric: "tracing_overhead_pct_full",
        value: Number(worst(pf).toFixed(2)),
        unit: "%",
        note: `ratio 1.0: ${describe(pf)}`,
      },
      ...([["off", o], ["sampled", s], ["full", f]] as const).flatMap(([name, x]) => [
        {
          metric: `route_cpu_ns_per_msg_memory_${name}`,
          value: Math.round(x.memoryCpu),
          unit: "ns",
        },
        {
          metric: `route_cpu_ns_per_msg_durable_${name}`,
          value: Math.round(x.durableCpu),
          unit: "ns",
        },
      ]),
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
      {
        metric: "api_p50_us_deno_builtin",
        value: Number(api.p50[3]!.toFixed(1)),
        unit: "us",
        note: `OTEL_DENO=true at 0.01 (Deno's exporter, its Deno.serve spans included): +${
          slower(o.p50, api.p50[3]!).toFixed(1)
        }% over off`,
      },
      ...Object.entries(costs).map(([name, us]) => ({
        metric: `otel_${name}`,
        value: Number(us.toFixed(3)),
        unit: "us",
        note: "per call, main thread, Caxton's exporter",
      })),
      ...[...receiver.spans].sort().map(([key, n]) => ({
        metric: `spans_${key.replaceAll(/[^a-z0-9]+/gi, "_")}`,
        value: n,
        unit: "spans",
        note: "received by the bench's OTLP sink, all runs",
      })),
    ] satisfies Metric[],
  );
}
