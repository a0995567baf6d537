/**
 * Cluster benchmarks over one local nats-server (Debian's, JetStream on).
 *
 * - cross_node_msgs_per_sec: PAIRS pairs of echo agents (echo.wat), one of
 *   each pair on node A (this process) and one on node B (a `caxton serve
 *   --cluster` child), play endless ping-pong with IN_FLIGHT conversations per
 *   pair; every message crosses NATS. Counted as twice the deliveries A's
 *   agents handled over WINDOW_MS (each is one B→A message, answered by one
 *   A→B message). Message log off on both nodes.
 * - cross_node_p50/p99_us: one conversation at low load; the time from A
 *   routing a→b to A receiving b's reply — two NATS crossings and b's
 *   handling on B (so an upper bound of a one-way hop).
 * - membership_convergence_ms: kill -9 of a third node C → node A calls it gone.
 * - nats_pubsub_msgs_per_sec, nats_request_p50_us, nats_request_per_sec: the
 *   same NATS client on this machine, 200-byte payloads, for the ratio.
 */
import { connect } from "@nats-io/transport-node";
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { type ClusterNode, startClusterNode, startNats } from "../tests/_support/nats.ts";
import { median, percentile, report } from "./_report.ts";

const ECHO = new URL("../build/agents/echo_wat.wasm", import.meta.url).pathname;
const PAIRS = 16;
const IN_FLIGHT = 32;
const WARMUP_MS = 1_000;
const WINDOW_MS = 3_000;
const SAMPLE_MS = 2_000;
const RUNS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = Awaited<ReturnType<typeof startNode>>;

async function deployOn(b: ClusterNode, name: string): Promise<void> {
  const res = await fetch(`${b.api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: Deno.readFileSync(ECHO),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`deploy ${name} on B: ${res.status}`);
}

async function untilKnown(a: Node, names: string[]): Promise<void> {
  while (!names.every((n) => a.cluster!.endpointFor(n))) await sleep(10);
}

function handled(a: Node, names: string[]): number {
  return names.reduce((n, name) => n + a.agents.get(name).counters.handled, 0);
}

async function throughput(a: Node, b: ClusterNode, run: number): Promise<number> {
  const as = Array.from({ length: PAIRS }, (_, i) => `a${run}-${i}`);
  const bs = Array.from({ length: PAIRS }, (_, i) => `b${run}-${i}`);
  for (const name of as) await a.agents.deploy(name, Deno.readFileSync(ECHO));
  for (const name of bs) await deployOn(b, name);
  await untilKnown(a, bs);
  for (let p = 0; p < PAIRS; p++) {
    for (let i = 0; i < IN_FLIGHT; i++) {
      a.router.route({
        performative: "inform",
        sender: as[p]!,
        receiver: [bs[p]!],
        content: "ping",
        conversationId: `x${run}-${p}-${i}`,
      });
    }
  }
  await sleep(WARMUP_MS);
  const start = handled(a, as);
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const count = handled(a, as) - start;
  const seconds = (performance.now() - t0) / 1000;
  // Stop the ping-pong: remove A's side (B's replies then fail back, and end).
  for (const name of as) await a.agents.remove(name).catch(() => {});
  return (2 * count) / seconds;
}

async function latency(a: Node, b: ClusterNode): Promise<number[]> {
  await a.agents.deploy("lat-a", Deno.readFileSync(ECHO));
  await deployOn(b, "lat-b");
  await untilKnown(a, ["lat-b"]);
  const rtts: number[] = [];
  let sentAt = 0;
  const stop = a.router.tap((m, at) => {
    if (m.conversationId !== "lat") return;
    if (m.sender === "lat-a") sentAt = at;
    else if (m.sender === "lat-b" && sentAt > 0) rtts.push((at - sentAt) * 1000);
  });
  a.router.route({
    performative: "inform",
    sender: "lat-a",
    receiver: ["lat-b"],
    content: "ping",
    conversationId: "lat",
  });
  await sleep(SAMPLE_MS);
  stop();
  await a.agents.remove("lat-a");
  return rtts.slice(Math.min(50, rtts.length >> 2));
}

async function convergence(a: Node, nats: string, run: number): Promise<number> {
  const c = await startClusterNode(nats, `bench-c${run}`);
  try {
    const seen = () => a.cluster!.status().nodes.find((n) => n.name === `bench-c${run}`)?.state;
    while (seen() !== "joined") await sleep(10);
    const t0 = performance.now();
    await c.kill();
    while (seen() !== "gone") await sleep(5);
    return performance.now() - t0;
  } finally {
    await c[Symbol.asyncDispose]();
  }
}

async function rawNats(url: string): Promise<{ pubsub: number; rps: number; rtts: number[] }> {
  const pub = await connect({ servers: url });
  const sub = await connect({ servers: url });
  const payload = new Uint8Array(200);
  const N = 200_000;
  let got = 0;
  const done = Promise.withResolvers<void>();
  const s = sub.subscribe("bench.raw", {
    callback: () => {
      if (++got === N) done.resolve();
    },
  });
  await sub.flush();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) pub.publish("bench.raw", payload);
  await done.promise;
  const pubsub = N / ((performance.now() - t0) / 1000);
  s.unsubscribe();
  sub.subscribe("bench.req", { callback: (_e, m) => void m.respond(payload) });
  await sub.flush();
  const rtts: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const t = performance.now();
    await pub.request("bench.req", payload, { timeout: 5_000 });
    rtts.push((performance.now() - t) * 1000);
  }
  // Request/reply throughput with 64 requests in flight.
  const M = 20_000;
  let sent = 0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (sent++ < M) await pub.request("bench.req", payload, { timeout: 5_000 });
  }));
  const rps = M / ((performance.now() - t1) / 1000);
  await pub.close();
  await sub.close();
  return { pubsub, rps, rtts: rtts.slice(200) };
}

export async function run(): Promise<void> {
  await using nats = await startNats();
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-cluster-" });
  const config = {
    ...defaultConfig(),
    dataDir,
    port: 0,
    messageLog: "none" as const,
    mailboxCapacity: 100_000,
    cluster: { servers: [nats.url], name: "bench-a", unreachableMs: 5_000 },
  };
  const a = await startNode(config, { serve: false, logger: SILENT_LOGGER });
  const bDir = Deno.makeTempDirSync({ prefix: "caxton-bench-cluster-b-" });
  const b = await startClusterNode(nats.url, "bench-b", {
    env: {
      CAXTON_MESSAGE_LOG: "none",
      CAXTON_MAILBOX_CAPACITY: "100000",
      CAXTON_LOG_LEVEL: "error",
    },
    args: ["--workers", String(navigator.hardwareConcurrency || 1)],
    dataDir: bDir,
  });
  const rates: number[] = [];
  const rtts: number[] = [];
  const converge: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) rates.push(await throughput(a, b, r));
    rtts.push(...await latency(a, b));
    for (let r = 0; r < RUNS; r++) converge.push(await convergence(a, nats.url, r));
  } finally {
    await b[Symbol.asyncDispose]();
    await a.pool.close(); // B's side of the ping-pong is gone; stop A's workers first
    await a.close();
    Deno.removeSync(dataDir, { recursive: true });
    Deno.removeSync(bDir, { recursive: true });
  }
  const raw = await rawNats(nats.url);
  const spread = (v: number[]) => `runs ${v.map((x) => Math.round(x)).join(", ")}`;
  const cross = median(rates);
  report("cluster", [
    {
      metric: "cross_node_msgs_per_sec",
      value: Math.round(cross),
      unit: "msg/s",
      goal: ">= 200000",
      note: spread(rates),
    },
    {
      metric: "cross_node_p50_us",
      value: Math.round(percentile(rtts, 50)),
      unit: "us",
      goal: "<= 500",
      note: `a->b->a round trip, ${rtts.length} samples`,
    },
    {
      metric: "cross_node_p99_us",
      value: Math.round(percentile(rtts, 99)),
      unit: "us",
      goal: "<= 5000",
    },
    {
      metric: "membership_convergence_ms",
      value: Math.round(median(converge)),
      unit: "ms",
      goal: "<= 3000",
      note: spread(converge),
    },
    {
      metric: "nats_pubsub_msgs_per_sec",
      value: Math.round(raw.pubsub),
      unit: "msg/s",
      note: "200 B, one publisher, one subscriber",
    },
    {
      metric: "nats_request_p50_us",
      value: Math.round(percentile(raw.rtts, 50)),
      unit: "us",
      note: "sequential",
    },
    { metric: "nats_request_p99_us", value: Math.round(percentile(raw.rtts, 99)), unit: "us" },
    {
      metric: "nats_requests_per_sec",
      value: Math.round(raw.rps),
      unit: "req/s",
      note: "64 in flight",
    },
    {
      metric: "cross_node_to_nats_pubsub_ratio",
      value: Number((cross / raw.pubsub).toFixed(3)),
      unit: "ratio",
    },
  ]);
}
