/**
 * Instance pool benchmark (docs/POOLS.md), through a real node and real WASM.
 *
 * - pool_scaling_ratio: a CPU-bound echo (compute_as: a sieve up to SIEVE_N
 *   per message, then the reply; ~1 ms of WASM) deployed with `instances: 2`, driven by an outside
 *   participant that keeps IN_FLIGHT requests outstanding (no conversation:
 *   the members take turns). Replies per second over WINDOW_MS after a
 *   warm-up, on a node with 2 workers ÷ the same on a node with 1 worker.
 *   The message log is on (the default). Each side is the median of RUNS.
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, report } from "./_report.ts";

const COMPUTE = new URL("../build/agents/compute_as.wasm", import.meta.url).pathname;
const SIEVE_N = "50000";
const IN_FLIGHT = 32;
const WARMUP_MS = 500;
const WINDOW_MS = 2_500;
const RUNS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replies per second from a pool of 2 members on a node with `workers` workers. */
async function pooledThroughput(workers: number): Promise<number> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-pools-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, workers },
    { serve: false, logger: SILENT_LOGGER },
  );
  let replies = 0;
  let failures = 0;
  let driving = true;
  const send = () =>
    node.router.route({
      performative: "request",
      sender: "ext:driver",
      receiver: ["pool"],
      content: SIEVE_N,
    });
  const driver = node.router.registerExternal("ext:driver", (message) => {
    if (message.performative !== "inform") failures++;
    replies++;
    if (driving) send();
  });
  try {
    await node.agents.deploy("pool", Deno.readFileSync(COMPUTE), {
      instances: 2,
      keepAlive: true,
    });
    for (let i = 0; i < IN_FLIGHT; i++) send();
    await sleep(WARMUP_MS);
    const before = replies;
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const rate = (replies - before) / ((performance.now() - t0) / 1000);
    driving = false;
    // A failure (fuel, deadline) is not throughput: the figure would be a lie.
    if (failures > 0) throw new Error(`bench pools: ${failures} requests failed`);
    return rate;
  } finally {
    driving = false;
    await node.close();
    driver[Symbol.dispose]();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

export async function run(): Promise<void> {
  const one: number[] = [];
  const two: number[] = [];
  // Interleaved, so a burst of load from elsewhere on the machine hits both sides.
  for (let i = 0; i < RUNS; i++) {
    one.push(await pooledThroughput(1));
    two.push(await pooledThroughput(2));
  }
  const ratios = two.map((t, i) => t / one[i]!);
  const runs = (values: number[]) => values.map(Math.round).join(", ");
  report(
    "pools",
    [
      {
        metric: "pool_scaling_ratio",
        value: Number((median(two) / median(one)).toFixed(3)),
        unit: "x",
        goal: ">= 1.8",
        note: `median 2 workers / median 1 worker; per-run ratios ${
          ratios.map((r) => r.toFixed(2)).join(", ")
        }`,
      },
      {
        metric: "pool_msgs_per_sec_2_workers",
        value: Math.round(median(two)),
        unit: "msg/s",
        note: `compute_as sieve ${SIEVE_N}, 2 members, ${IN_FLIGHT} in flight; runs ${runs(two)}`,
      },
      {
        metric: "pool_msgs_per_sec_1_worker",
        value: Math.round(median(one)),
        unit: "msg/s",
        note: `same, both members on one worker; runs ${runs(one)}`,
      },
    ] satisfies Metric[],
  );
}
