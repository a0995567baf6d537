/**
 * Timer benchmarks, on a real node (message log on, as users run it) with
 * real WASM agents: a sink that takes each timer message and does nothing
 * (lateness), timekeeper (pending timers).
 *
 * - timer_fire_lateness_p50/p99_ms: timers are created at RATE per second for
 *   SECONDS (in slices every 10 ms), each due DELAY_MS later, so they come due
 *   at RATE per second; lateness is when the agent's worker started handling
 *   the timer's message minus its due time (fire lateness: due -> delivered).
 *   Also reported: due -> routed (the timer service fired it) and due -> its
 *   outcome back on the main thread. A slice's timers are created in one transaction.
 * - timers_100k_pending_heap_mb: the JS heap before and after 100,000 timers
 *   are pending (10 agents × 10,000, due in an hour): what pending timers cost
 *   in memory (they live in SQLite).
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { TIMER_ONTOLOGY, type TimerFired } from "../src/timers/mod.ts";
import { wat } from "../tests/_support/wat.ts";
import { median, type Metric, percentile, report } from "./_report.ts";
import { probeDeliveries } from "./_delivery_probe.ts";

const AGENT = new URL("../build/agents/timekeeper_as.wasm", import.meta.url).pathname;
/** An agent that takes every message and does nothing with it: what is measured is the timers. */
const SINK = `(module
  (memory (export "memory") 1)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`;
const RATE = 10_000;
const SECONDS = 3;
const DELAY_MS = 300;
const SLICE_MS = 10;
const RUNS = 3;

type Node = Awaited<ReturnType<typeof startNode>>;
/** Lateness percentiles, ms after the due time: routed, delivered to the agent, handled. */
interface Lateness {
  routed: { p50: number; p99: number };
  delivered: { p50: number; p99: number };
  handled: { p99: number };
}
const _DUE = '"dueAt":"';
/** A timer message's due time, read from the text the agent receives (no parse per message). */
function dueOf(text: string): number | null {
  const at = text.indexOf(_DUE);
  return at < 0 ? null : Date.parse(text.slice(at + _DUE.length, at + _DUE.length + 24));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withNode<T>(fn: (node: Node) => Promise<T>): Promise<T> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-timers-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, mailboxCapacity: 100_000 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    return await fn(node);
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

export function lateness(): Promise<Lateness> {
  return withNode(async (node) => {
    const bytes = wat(SINK);
    // Four agents share the load (each may have 10,000 pending).
    const agents: { id: number; name: string }[] = [];
    for (let i = 0; i < 4; i++) {
      await node.agents.deploy(`tk-${i}`, bytes);
      agents.push({ id: node.agents.get(`tk-${i}`).id, name: `tk-${i}` });
    }
    const late: number[] = [];
    const probe = probeDeliveries(node, dueOf);
    const stop = node.router.tap((message, at) => {
      if (message.ontology !== TIMER_ONTOLOGY) return;
      late.push(at - Date.parse((message.content as TimerFired).dueAt));
    });
    const perSlice = RATE * SLICE_MS / 1000;
    const total = RATE * SECONDS;
    const started = performance.now();
    for (let made = 0, slice = 0; made < total; slice++) {
      // A slice's timers in one transaction, as the timers one message sets commit.
      node.store.transaction(() => {
        for (let i = 0; i < perSlice; i++, made++) {
          const agent = agents[made % agents.length]!;
          node.timers.create(agent.id, agent.name, { delayMs: DELAY_MS, payload: `p${made % 8}` });
        }
      });
      const next = started + (slice + 1) * SLICE_MS;
      await sleep(Math.max(0, next - performance.now()));
    }
    const deadline = Date.now() + 20_000;
    const { samples } = probe;
    while (samples.handled.length < total && Date.now() < deadline) await sleep(20);
    stop();
    probe.stop();
    if (samples.started.length < total) {
      throw new Error(`bench timers: ${samples.started.length} of ${total} delivered`);
    }
    const p = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
    return {
      routed: p(late),
      delivered: p(samples.started),
      handled: { p99: percentile(samples.handled, 99) },
    };
  });
}

function pendingHeap(): Promise<number> {
  return withNode(async (node) => {
    const bytes = Deno.readFileSync(AGENT);
    const agents: { id: number; name: string }[] = [];
    for (let i = 0; i < 10; i++) {
      await node.agents.deploy(`idle-${i}`, bytes);
      agents.push({ id: node.agents.get(`idle-${i}`).id, name: `idle-${i}` });
    }
    const before = Deno.memoryUsage().heapUsed;
    for (const agent of agents) {
      node.store.transaction(() => {
        for (let i = 0; i < 10_000; i++) {
          node.timers.create(agent.id, agent.name, { delayMs: 3_600_000 + i });
        }
      });
    }
    await sleep(200);
    const after = Deno.memoryUsage().heapUsed;
    if (node.store.timers.total() !== 100_000) throw new Error("bench timers: 100,000 not pending");
    return (after - before) / 1_048_576;
  });
}

export async function run(): Promise<void> {
  const runs: Lateness[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await lateness());
  const heap = await pendingHeap();
  const figure = (metric: string, pick: (r: Lateness) => number, extra: Partial<Metric> = {}) => {
    const values = runs.map(pick);
    return {
      metric,
      value: Number(median(values).toFixed(2)),
      unit: "ms",
      ...extra,
      note: `${extra.note ?? ""}median of ${RUNS}: ${values.map((v) => v.toFixed(2)).join(", ")}`,
    };
  };
  const metrics: Metric[] = [
    figure("timer_fire_lateness_p99_ms", (r) => r.delivered.p99, {
      goal: "<= 5",
      note: `due -> agent starts handling, ${RATE} timers/s for ${SECONDS} s, log on; `,
    }),
    figure("timer_fire_lateness_p50_ms", (r) => r.delivered.p50),
    figure("timer_route_lateness_p99_ms", (r) => r.routed.p99, { note: "due -> routed; " }),
    figure("timer_handled_lateness_p99_ms", (r) => r.handled.p99, {
      note: "due -> outcome back on the main thread; ",
    }),
    {
      metric: "timers_100k_pending_heap_mb",
      value: Number(heap.toFixed(1)),
      unit: "MB",
      note: "JS heap growth with 100,000 timers pending (one run)",
    },
  ];
  report("timers", metrics);
}
