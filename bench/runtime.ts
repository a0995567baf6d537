/**
 * Runtime benchmarks (issue: core runtime). Each figure is a median over
 * repeated runs; the machine has 2 noisy cores, so compare ratios, not digits.
 *
 * - agent_idle_rss_bytes: RSS per idle agent (record, mailbox, instance): the
 *   slope between 1,000 and 10,000 agents, in a child process after forced GCs
 *   (runtime_idle_rss.ts).
 * - agent_start_ms: one instance from an already compiled module (load round trip).
 * - deploy_ms_100kb: deploy of a ~100 KB module: hash, validation, metering, store, compile, start.
 * - fuel_overhead_pct, interrupt_overhead_pct, deadline_stop_ms: runtime_fuel.ts.
 */
import { median, type Metric, report } from "./_report.ts";
import { deadlineStop, fuelAndInterruptOverhead } from "./runtime_fuel.ts";
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { DEFAULT_LIMITS, firstSlice } from "../src/runtime/mod.ts";
import { prepareModule } from "../src/runtime/prepare.ts";

function agent(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../build/agents/${name}.wasm`, import.meta.url));
}

/** Appends a custom section so the bytes (and hash) differ but the code does not. */
function variant(bytes: Uint8Array, n: number): Uint8Array {
  const name = new TextEncoder().encode("bench");
  const payload = new TextEncoder().encode(String(n));
  const body = [name.length, ...name, ...payload];
  return new Uint8Array([...bytes, 0, body.length, ...body]);
}

async function withNode<T>(fn: (node: Awaited<ReturnType<typeof startNode>>) => Promise<T>) {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    return await fn(node);
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

async function agentStart(): Promise<Metric[]> {
  return await withNode(async (node) => {
    const echo = agent("echo_wat");
    await node.agents.deploy("warm-0", echo);
    const module = await WebAssembly.compile(
      (await prepareModule(echo, {
        memoryCapPages: DEFAULT_LIMITS.memoryPages,
        initialFuel: BigInt(firstSlice(DEFAULT_LIMITS.fuelPerMessage)),
        maxModuleBytes: DEFAULT_LIMITS.maxModuleBytes,
      })).metered as Uint8Array<ArrayBuffer>,
    );
    // agent_start_ms: instantiate + caxton_init in a worker, round trip included.
    const starts: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const { instanceId } = await node.pool.load({
        agentName: `s${i}`,
        module,
        limits: DEFAULT_LIMITS,
        state: new Map(),
        isolation: "shared",
      });
      starts.push(performance.now() - t0);
      node.pool.unload(instanceId);
    }
    return [{
      metric: "agent_start_ms",
      value: median(starts),
      unit: "ms",
      goal: "<= 1",
      note: "median of 300",
    }];
  });
}

async function idleRss(): Promise<Metric[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-worker-options",
      "--v8-flags=--expose-gc",
      "--allow-all",
      new URL("./runtime_idle_rss.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const { code, stdout } = await child.output();
  if (code !== 0) throw new Error(`runtime_idle_rss.ts exited with ${code}`);
  const result = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  return [{
    metric: "agent_idle_rss_bytes",
    value: result.slopeBytes,
    unit: "bytes",
    goal: "<= 65536",
    note: `slope 1,000 → 10,000 agents after forced GC: RSS ${
      (result.rss1k / 2 ** 20).toFixed(0)
    } → ${(result.rss10k / 2 ** 20).toFixed(0)} MiB; deployed in ${
      (result.deployMs / 1000).toFixed(1)
    } s`,
  }];
}

async function deploy100kb(): Promise<Metric[]> {
  return await withNode(async (node) => {
    const big = agent("big_100kb");
    const t0 = performance.now();
    await node.agents.deploy("cold", variant(big, -1));
    const cold = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await node.agents.deploy(`big-${i}`, variant(big, i));
      times.push(performance.now() - t);
    }
    return [{
      metric: "deploy_ms_100kb",
      value: median(times),
      unit: "ms",
      goal: "<= 50",
      note: `${(big.length / 1024).toFixed(0)} KiB, median of 30, warm preparer; first (cold) ${
        cold.toFixed(0)
      } ms`,
    }];
  });
}

export async function run(): Promise<void> {
  const metrics = [
    ...(await fuelAndInterruptOverhead()),
    ...(await deadlineStop()),
    ...(await deploy100kb()),
    ...(await agentStart()),
    ...(await idleRss()),
    ...(await (await import("./storm.ts")).neighbourUnderStorm()),
  ];
  report("runtime", metrics);
}
