/**
 * Router benchmarks, through real WASM agents on a real node (full worker pool).
 *
 * - route_msgs_per_sec_memory / _durable: PAIRS pairs of echo agents
 *   (echo.wat) play ping-pong: each reply is answered again, forever, so the
 *   node is saturated with agent→agent traffic. IN_FLIGHT conversations per
 *   pair are started by the bench; the figure is handled deliveries per second
 *   over WINDOW_MS after a warm-up, with the message log off and on.
 * - deliver_p50/p99_us_same_worker / _cross_worker: one conversation between
 *   two echo agents at low load (one message in flight); a hop is the time
 *   between two successive deliveries of that conversation (routing, transfer
 *   and the receiver's handling), sampled over SAMPLE_MS.
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, percentile, report } from "./_report.ts";

const ECHO = new URL("../build/agents/echo_wat.wasm", import.meta.url).pathname;
const PAIRS = 32;
const IN_FLIGHT = 16;
const WARMUP_MS = 500;
const WINDOW_MS = 2_000;
const SAMPLE_MS = 1_500;
const RUNS = 3;

type Node = Awaited<ReturnType<typeof startNode>>;

async function withNode<T>(messageLog: "log" | "none", fn: (node: Node) => Promise<T>): Promise<T> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-router-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, messageLog, mailboxCapacity: 100_000 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    return await fn(node);
  } finally {
    await node.pool.close(); // ping-pong never drains: stop the workers first
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

function handledSoFar(node: Node, names: string[]): number {
  let total = 0;
  for (const name of names) total += node.agents.get(name).counters.handled;
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `inFlight` endless conversations between `a` and `b`. */
function serve(node: Node, a: string, b: string, inFlight: number): void {
  for (let i = 0; i < inFlight; i++) {
    node.router.route({
      performative: "inform",
      sender: a,
      receiver: [b],
      content: "ping",
      conversationId: `${a}-${b}-${i}`,
    });
  }
}

/** Pairs agents on the same worker, or each with one on another worker. */
function pairUp(node: Node, names: string[], sameWorker: boolean): [string, string][] {
  const byWorker = new Map<number, string[]>();
  for (const name of names) {
    const worker = node.agents.get(name).worker ?? -1;
    byWorker.set(worker, [...byWorker.get(worker) ?? [], name]);
  }
  const groups = [...byWorker.values()];
  const pairs: [string, string][] = [];
  if (sameWorker) {
    for (const group of groups) {
      for (let i = 0; i + 1 < group.length; i += 2) pairs.push([group[i]!, group[i + 1]!]);
    }
  } else {
    const [a = [], b = []] = groups;
    for (let i = 0; i < Math.min(a.length, b.length); i++) pairs.push([a[i]!, b[i]!]);
  }
  return pairs;
}

async function throughput(messageLog: "log" | "none", sameWorker = true): Promise<number> {
  return await withNode(messageLog, async (node) => {
    const wasm = Deno.readFileSync(ECHO);
    const names: string[] = [];
    for (let i = 0; i < PAIRS * 2; i++) {
      names.push(`echo-${i}`);
      await node.agents.deploy(`echo-${i}`, wasm);
    }
    for (const [a, b] of pairUp(node, names, sameWorker)) serve(node, a, b, IN_FLIGHT);
    await sleep(WARMUP_MS);
    const before = handledSoFar(node, names);
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const handled = handledSoFar(node, names) - before;
    return handled / ((performance.now() - t0) / 1000);
  });
}

/** Hop latencies (µs) of one conversation between two agents, same or different workers. */
async function hops(sameWorker: boolean): Promise<number[]> {
  return await withNode("none", async (node) => {
    const wasm = Deno.readFileSync(ECHO);
    // The pool places each new agent on the least loaded worker: deploy until
    // an agent lands where we want it.
    await node.agents.deploy("a", wasm);
    const home = node.agents.get("a").worker;
    let b = "";
    for (let i = 0; i < 8 && !b; i++) {
      await node.agents.deploy(`b${i}`, wasm);
      const there = node.agents.get(`b${i}`).worker;
      if ((there === home) === sameWorker) b = `b${i}`;
    }
    if (!b) throw new Error("could not place the second agent as asked");
    const times: number[] = [];
    // The only traffic on this node is the one conversation. A tap that wants
    // every message makes workers report their direct deliveries too.
    const stop = node.router.tap((_, at) => times.push(at));
    serve(node, "a", b, 1);
    await sleep(SAMPLE_MS);
    stop();
    const gaps: number[] = [];
    for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) * 1000);
    return gaps.slice(100); // skip the warm-up hops
  });
}

export async function run(): Promise<void> {
  const memory: number[] = [];
  const durable: number[] = [];
  const split: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    memory.push(await throughput("none"));
    durable.push(await throughput("log"));
    split.push(await throughput("none", false));
  }
  const same: number[] = [];
  const cross: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const gap of await hops(true)) same.push(gap);
    for (const gap of await hops(false)) cross.push(gap);
  }
  const runs = (values: number[]) => `median of ${RUNS}: ${values.map(Math.round).join(", ")}`;
  report(
    "router",
    [
      {
        metric: "route_msgs_per_sec_memory",
        value: Math.round(median(memory)),
        unit: "msg/s",
        goal: ">= 1,000,000",
        note: `pairs on one worker, direct delivery; ${runs(memory)}`,
      },
      {
        metric: "route_msgs_per_sec_memory_cross_worker",
        value: Math.round(median(split)),
        unit: "msg/s",
        note: `every pair split over two workers; ${runs(split)}`,
      },
      {
        metric: "route_msgs_per_sec_durable",
        value: Math.round(median(durable)),
        unit: "msg/s",
        goal: ">= 300,000",
        note: runs(durable),
      },
      {
        metric: "deliver_p50_us_same_worker",
        value: percentile(same, 50),
        unit: "us",
        goal: "<= 12",
        note: `${same.length} hops`,
      },
      {
        metric: "deliver_p99_us_same_worker",
        value: percentile(same, 99),
        unit: "us",
        goal: "<= 67",
      },
      {
        metric: "deliver_p99_us_cross_worker",
        value: percentile(cross, 99),
        unit: "us",
        goal: "<= 200",
        note: `p50 ${percentile(cross, 50).toFixed(1)} us, ${cross.length} hops`,
      },
    ] satisfies Metric[],
  );
}
