/**
 * One node for the telemetry benchmark, run as a child process so Deno's
 * OpenTelemetry is on or off from the start (CAXTON_TRACING or OTEL_DENO in its environment).
 * `router`: prints one JSON line of router throughput and exits. `api`:
 * prints the per-call costs of tracing and where it listens, then serves
 * HTTP until killed (the parent measures API latency from outside, so its
 * own requests make no spans).
 */
import { startNode } from "../main.ts";
import { loadConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER, Telemetry } from "../src/telemetry/mod.ts";
import type { AclMessage } from "../src/acl/mod.ts";

const ECHO = new URL("../build/agents/echo_wat.wasm", import.meta.url).pathname;
const PAIRS = 32;
const IN_FLIGHT = 16;
const WARMUP_MS = 500;
const WINDOW_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = Awaited<ReturnType<typeof startNode>>;

/** CPU time (ns) every thread of this process has spent so far, from /proc (schedstat). */
function cpuNs(): number {
  let total = 0;
  for (const task of Deno.readDirSync("/proc/self/task")) {
    try {
      total += Number(
        Deno.readTextFileSync(`/proc/self/task/${task.name}/schedstat`).split(" ")[0],
      );
    } catch { /* the thread ended meanwhile */ }
  }
  return total;
}

/** Messages handled per second, and CPU ns the process spent per message, over the window. */
async function throughput(
  messageLog: "log" | "none",
): Promise<{ rate: number; cpuNsPerMessage: number }> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-otel-" });
  const config = loadConfig({ env: Deno.env.toObject(), flags: { dataDir, port: 0 } });
  const node: Node = await startNode(
    { ...config, messageLog, mailboxCapacity: 100_000 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    const wasm = Deno.readFileSync(ECHO);
    const names: string[] = [];
    for (let i = 0; i < PAIRS * 2; i++) {
      names.push(`echo-${i}`);
      await node.agents.deploy(`echo-${i}`, wasm);
    }
    // Pairs on one worker, as bench/router.ts does (direct delivery when the log is off).
    const byWorker = new Map<number, string[]>();
    for (const name of names) {
      const w = node.agents.get(name).worker ?? -1;
      byWorker.set(w, [...byWorker.get(w) ?? [], name]);
    }
    for (const group of byWorker.values()) {
      for (let i = 0; i + 1 < group.length; i += 2) {
        for (let k = 0; k < IN_FLIGHT; k++) {
          node.router.route({
            performative: "inform",
            sender: group[i]!,
            receiver: [group[i + 1]!],
            content: "ping",
            conversationId: `${group[i]}-${k}`,
          });
        }
      }
    }
    const handled = () => names.reduce((n, a) => n + node.agents.get(a).counters.handled, 0);
    await sleep(WARMUP_MS);
    const before = handled();
    const cpu0 = cpuNs();
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const count = handled() - before;
    return {
      rate: count / ((performance.now() - t0) / 1000),
      cpuNsPerMessage: (cpuNs() - cpu0) / count,
    };
  } finally {
    await node.pool.close();
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

/** µs per call of the per-message telemetry work on the main thread (tracing on only). */
function perMessageCosts(telemetry: Telemetry): Record<string, number> {
  const N = 20_000;
  const message: AclMessage = {
    performative: "inform",
    sender: "a",
    receiver: ["b"],
    conversationId: "c",
    content: "ping",
  };
  const sampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
  const time = (fn: () => void) => {
    for (let i = 0; i < 1000; i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn();
    return ((performance.now() - t0) * 1000) / N;
  };
  const now = performance.timeOrigin + performance.now();
  const delivery = (tp: string) => ({
    message: { ...message, traceparent: tp },
    receiver: "b",
    routedAt: now,
    startedAt: now,
    endedAt: now,
    fuelUsed: 10,
    failure: null,
    trapped: false,
  });
  const traced = delivery(sampled);
  const untraced = delivery(unsampled);
  return {
    route_span_us: time(() => telemetry.route(message, sampled)),
    route_unsampled_us: time(() => telemetry.route(message, unsampled)),
    deliver_and_handle_spans_us: time(() => telemetry.delivered(traced)),
    delivered_unsampled_us: time(() => telemetry.delivered(untraced)),
  };
}

const mode = Deno.args[0];
if (mode === "router") {
  const memory = await throughput("none");
  const durable = await throughput("log");
  console.log(JSON.stringify({
    memory: memory.rate,
    durable: durable.rate,
    memoryCpu: memory.cpuNsPerMessage,
    durableCpu: durable.cpuNsPerMessage,
  }));
  Deno.exit(0);
}
const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-otel-api-" });
const config = loadConfig({ env: Deno.env.toObject(), flags: { dataDir, port: 0 } });
const node = await startNode(config, { logger: SILENT_LOGGER });
await node.agents.deploy("echo", Deno.readFileSync(ECHO));
const costs = node.telemetry ? perMessageCosts(node.telemetry) : {};
console.log(JSON.stringify({ costs, url: node.url }));
const stop = () => {
  Deno.removeSync(dataDir, { recursive: true });
  Deno.exit(0);
};
setTimeout(stop, 300_000); // never outlives a stuck parent
Deno.addSignalListener("SIGTERM", stop);
