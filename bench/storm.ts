/**
 * Neighbours under a storm (issue 13 item 5): REST requests to echo agents
 * — one in the storm's worker, one in the other — while a storm agent sends
 * to itself as fast as the node accepts (fan-out 2, bounded by its mailbox).
 * `neighbour_p99_ms_under_storm` is their p99 with the message log on (the
 * default); the `_direct` figure is the same with `messageLog: none`, where
 * the storm runs inside its worker by direct delivery. The client is
 * in-process `fetch`, one request at a time, so the figures include its share
 * of the main thread.
 *
 * Run: `deno task bench storm` (also part of `deno task bench runtime`).
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { stormAgent } from "../tests/_support/storm.ts";
import { median, type Metric, percentile, report } from "./_report.ts";

const ECHO = new URL("../build/agents/echo_wat.wasm", import.meta.url);
const REQUESTS = 400;

/** Requests not answered 200 (a 504 counts with its full wait). */
let _failed = 0;

async function _request(api: string, agent: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${api}/agents/${agent}/request?timeout=1000`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"content":"hello"}',
  });
  await res.body?.cancel();
  if (res.status !== 200) _failed++;
  return performance.now() - started;
}

/** How late a `?timeout=200` answers 504, asked of the storm agent itself (it never replies in time). */
async function _timeoutLateness(api: string, count: number): Promise<number[]> {
  const late: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`${api}/agents/storm/request?timeout=200`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"content":"hello"}',
    });
    await res.body?.cancel();
    if (res.status === 504) late.push(performance.now() - started - 200);
  }
  return late;
}

async function _latencies(api: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(await _request(api, i % 2 ? "echo-same" : "echo-other"));
  }
  return times;
}

/** p50/p99 of echo requests quiet and under a storm, for one message-log mode. */
async function _measure(messageLog: "log" | "none") {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-storm-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, workers: 2, messageLog },
    { logger: SILENT_LOGGER },
  );
  try {
    const api = `${node.url}/api/v1`;
    await node.agents.deploy("storm", stormAgent("storm", 2));
    await node.agents.deploy("echo-other", Deno.readFileSync(ECHO));
    await node.agents.deploy("echo-same", Deno.readFileSync(ECHO));
    await _latencies(api, 50); // warm up
    const quiet = await _latencies(api, REQUESTS);
    node.router.route({ performative: "inform", sender: "ext:bench", receiver: ["storm"] });
    const storm = () => node.agents.get("storm").counters.handled;
    while (storm() < 20_000) await new Promise((r) => setTimeout(r, 10));
    const before = { handled: storm(), at: performance.now() };
    _failed = 0;
    const stormy = await _latencies(api, REQUESTS);
    const rate = (storm() - before.handled) / ((performance.now() - before.at) / 1000);
    const late = await _timeoutLateness(api, 20);
    await node.agents.remove("storm");
    return {
      quietP99: percentile(quiet, 99),
      p50: percentile(stormy, 50),
      p99: percentile(stormy, 99),
      rate,
      failed: _failed,
      lateP99: late.length > 0 ? percentile(late, 99) : Number.NaN,
      timeouts: late.length,
    };
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

/** Median of three runs per mode; the note gives the spread. */
export async function neighbourUnderStorm(): Promise<Metric[]> {
  const metrics: Metric[] = [];
  for (const mode of ["log", "none"] as const) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await _measure(mode));
    const p99s = runs.map((r) => r.p99);
    const round = (n: number) => Math.round(n * 10) / 10;
    metrics.push({
      metric: mode === "log"
        ? "neighbour_p99_ms_under_storm"
        : "neighbour_p99_ms_under_storm_direct",
      value: round(median(p99s)),
      unit: "ms",
      goal: "<= 10",
      note: `runs ${p99s.map(round).join(", ")}; p50 ${
        round(median(runs.map((r) => r.p50)))
      } ms; quiet p99 ${round(median(runs.map((r) => r.quietP99)))} ms; storm ${
        Math.round(median(runs.map((r) => r.rate)))
      } msg/s; not answered ${
        runs.map((r) => r.failed).join(", ")
      } of ${REQUESTS} (messageLog ${mode})`,
    });
    const late = runs.map((r) => r.lateP99);
    metrics.push({
      metric: mode === "log"
        ? "timeout_lateness_p99_ms_under_storm"
        : "timeout_lateness_p99_ms_under_storm_direct",
      value: round(median(late)),
      unit: "ms",
      goal: "a few ms",
      note: `?timeout=200 to the storming agent: 504 arrival − 200 ms; runs ${
        late.map(round).join(", ")
      }; 504s ${runs.map((r) => r.timeouts).join(", ")} of 20 (messageLog ${mode})`,
    });
  }
  return metrics;
}

export async function run(): Promise<void> {
  report("storm", await neighbourUnderStorm());
}

if (import.meta.main) await run();
