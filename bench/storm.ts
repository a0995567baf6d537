/**
 * Neighbours under a storm (issue 13 item 5): REST requests to echo agents
 * — one in the storm's worker, one in the other — while a storm agent sends
 * to itself as fast as the node accepts (fan-out 2, bounded by its mailbox).
 * `neighbour_p99_ms_under_storm` is their p99 with the message log on (the
 * default); the `_direct` figure is the same with `messageLog: none`, where
 * the storm runs inside its worker by direct delivery.
 * `timeout_lateness_p99_ms_under_storm` is how late `?timeout=200` requests
 * to the storming agent (which never answers) get their 504.
 *
 * Method: each run is a fresh node. Before its measured window the storm
 * runs and the same requests are made and thrown away (JIT of the main
 * thread and the workers, the log writer's first batches, SQLite pages), so
 * the first run is not the worst for warming up; one whole run, thrown away,
 * comes first for this process's own JIT. The window then takes
 * {@linkcode _REQUESTS} echo requests one at a time (p99 is the 10th worst),
 * then {@linkcode _PROBES} timeout probes started every 20 ms. The client is
 * in-process `fetch`, so the figures include its share of the main thread.
 * Settings come from CAXTON_* variables over the defaults, for A/B runs
 * (`CAXTON_AGENT_WORKER_NICE=0 deno task bench storm`).
 *
 * Run: `deno task bench storm` (also part of `deno task bench runtime`).
 */
import { startNode } from "../main.ts";
import { loadConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { stormAgent } from "../tests/_support/storm.ts";
import { median, type Metric, percentile, report } from "./_report.ts";

const ECHO = new URL("../build/agents/echo_wat.wasm", import.meta.url);
/** Echo requests in a run's measured window. */
const _REQUESTS = 1_000;
/** `?timeout=200` probes in a run's measured window. */
const _PROBES = 100;
const _TIMEOUT_MS = 200;

async function _post(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"content":"hello"}',
  });
  await res.body?.cancel();
  return { ms: performance.now() - started, status: res.status };
}

/** Echo requests one at a time, alternating the two echoes: times and how many were not 200. */
async function _latencies(api: string, count: number) {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const agent = i % 2 ? "echo-same" : "echo-other";
    const { ms, status } = await _post(`${api}/agents/${agent}/request?timeout=1000`);
    times.push(ms); // a 504 counts with its full wait
    if (status !== 200) failed++;
  }
  return { times, failed };
}

/** How late `?timeout=200` requests to the storm agent get their 504: one started every 20 ms. */
async function _timeoutLateness(api: string, count: number): Promise<number[]> {
  const late: number[] = [];
  const probes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    probes.push(
      _post(`${api}/agents/storm/request?timeout=${_TIMEOUT_MS}`).then(({ ms, status }) => {
        if (status === 504) late.push(ms - _TIMEOUT_MS);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(probes);
  return late;
}

/**
 * A fresh node (settings from CAXTON_* variables) with the storming agent and two echo
 * agents, one beside it and one in the other worker; also used by bench/storm_where.ts.
 */
export async function startStormNode(messageLog: "log" | "none", prefix: string) {
  const dataDir = Deno.makeTempDirSync({ prefix });
  const config = loadConfig({ env: Deno.env.toObject() });
  const node = await startNode(
    { ...config, dataDir, port: 0, workers: 2, messageLog },
    { logger: SILENT_LOGGER },
  );
  await node.agents.deploy("storm", stormAgent("storm", 2));
  await node.agents.deploy("echo-other", Deno.readFileSync(ECHO));
  await node.agents.deploy("echo-same", Deno.readFileSync(ECHO));
  return { node, config, dataDir };
}

/** One run on a fresh node: quiet and stormy echo latencies and timeout lateness. */
async function _measure(messageLog: "log" | "none") {
  const { node, dataDir } = await startStormNode(messageLog, "caxton-bench-storm-");
  try {
    const api = `${node.url}/api/v1`;
    await _latencies(api, 100); // warm-up
    const quiet = await _latencies(api, 200);
    node.router.route({ performative: "inform", sender: "ext:bench", receiver: ["storm"] });
    const storm = () => node.agents.get("storm").counters.handled;
    while (storm() < 20_000) await new Promise((r) => setTimeout(r, 10));
    // Warm-up under the storm, thrown away: the same requests as the window.
    await _latencies(api, 200);
    await _timeoutLateness(api, 10);
    const before = { handled: storm(), at: performance.now() };
    const stormy = await _latencies(api, _REQUESTS);
    const rate = (storm() - before.handled) / ((performance.now() - before.at) / 1000);
    const late = await _timeoutLateness(api, _PROBES);
    await node.agents.remove("storm");
    return {
      quietP99: percentile(quiet.times, 99),
      p50: percentile(stormy.times, 50),
      p99: percentile(stormy.times, 99),
      rate,
      failed: stormy.failed,
      lateP50: late.length > 0 ? percentile(late, 50) : Number.NaN,
      lateP99: late.length > 0 ? percentile(late, 99) : Number.NaN,
      timeouts: late.length,
    };
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

const _round = (n: number) => Math.round(n * 10) / 10;

/** "runs a, b, c (max/min 1.4x)": every run and how far apart they are. */
function _spread(values: number[]): string {
  const ratio = Math.max(...values) / Math.min(...values);
  return `runs ${values.map(_round).join(", ")} (max/min ${ratio.toFixed(1)}x)`;
}

/** Median of three runs per mode; the note gives every run and the spread. */
export async function neighbourUnderStorm(): Promise<Metric[]> {
  const metrics: Metric[] = [];
  // Thrown away: the first node of a process also warms this thread's JIT (the client, HTTP,
  // routing), which every later node reuses; its workers are fresh each run, warmed in the run.
  await _measure("log");
  for (const mode of ["log", "none"] as const) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await _measure(mode));
    const p99s = runs.map((r) => r.p99);
    const suffix = mode === "log" ? "" : "_direct";
    metrics.push({
      metric: `neighbour_p99_ms_under_storm${suffix}`,
      value: _round(median(p99s)),
      unit: "ms",
      goal: "<= 10",
      note: `${_spread(p99s)}; p50 ${_round(median(runs.map((r) => r.p50)))} ms; quiet p99 ${
        _round(median(runs.map((r) => r.quietP99)))
      } ms; storm ${Math.round(median(runs.map((r) => r.rate)))} msg/s; not answered ${
        runs.map((r) => r.failed).join(", ")
      } of ${_REQUESTS} (messageLog ${mode}; agentWorkerNice ${
        loadConfig({ env: Deno.env.toObject() }).scheduling.agentWorkerNice
      }; load ${Deno.loadavg()[0]!.toFixed(1)})`,
    });
    const late = runs.map((r) => r.lateP99);
    metrics.push({
      metric: `timeout_lateness_p99_ms_under_storm${suffix}`,
      value: _round(median(late)),
      unit: "ms",
      goal: "<= 5",
      note: `?timeout=${_TIMEOUT_MS} to the storming agent: 504 arrival − ${_TIMEOUT_MS} ms; ${
        _spread(late)
      }; p50 ${_round(median(runs.map((r) => r.lateP50)))} ms; 504s ${
        runs.map((r) => r.timeouts).join(", ")
      } of ${_PROBES} (messageLog ${mode})`,
    });
  }
  return metrics;
}

export async function run(): Promise<void> {
  report("storm", await neighbourUnderStorm());
}

if (import.meta.main) await run();
