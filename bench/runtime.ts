/**
 * Runtime benchmarks (issue: core runtime). Each figure is a median over
 * repeated runs; the machine has 2 noisy cores, so compare ratios, not digits.
 *
 * - agent_idle_rss_bytes: RSS growth per idle agent (record, mailbox, instance) at 10,000 agents.
 * - agent_start_ms: one instance from an already compiled module (load round trip).
 * - deploy_ms_100kb: deploy of a ~100 KB module: hash, validation, metering, store, compile, start.
 * - fuel_overhead_pct: a sieve in AssemblyScript, metered vs unmetered, same engine, same thread.
 */
import { median, type Metric, report } from "./_report.ts";
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { DEFAULT_LIMITS } from "../src/runtime/mod.ts";
import { prepareModule } from "../src/runtime/prepare.ts";

const AGENTS = 10_000;

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

async function idleRssAndStart(): Promise<Metric[]> {
  return await withNode(async (node) => {
    const echo = agent("echo_wat");
    await node.agents.deploy("warm-0", echo);
    const module = await WebAssembly.compile(
      (await prepareModule(echo, {
        memoryCapPages: DEFAULT_LIMITS.memoryPages,
        initialFuel: BigInt(DEFAULT_LIMITS.fuelPerMessage),
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
    // agent_idle_rss_bytes: 10,000 whole agents (store rows, mailbox, instance), 100 at a time.
    await new Promise((r) => setTimeout(r, 200));
    const before = Deno.memoryUsage().rss;
    const t0 = performance.now();
    for (let i = 0; i < AGENTS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => node.agents.deploy(`idle-${i + j}`, echo)),
      );
    }
    const loadAllMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    const after = Deno.memoryUsage().rss;
    return [
      {
        metric: "agent_idle_rss_bytes",
        value: Math.round((after - before) / AGENTS),
        unit: "bytes",
        goal: "<= 65536",
        note: `${AGENTS} agents deployed in ${(loadAllMs / 1000).toFixed(1)} s; RSS ${
          (after / 2 ** 20).toFixed(0)
        } MiB`,
      },
      {
        metric: "agent_start_ms",
        value: median(starts),
        unit: "ms",
        goal: "<= 1",
        note: "median of 300",
      },
    ];
  });
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

async function fuelOverhead(): Promise<Metric[]> {
  const bytes = agent("compute_as");
  const prepared = await prepareModule(bytes, {
    memoryCapPages: DEFAULT_LIMITS.memoryPages,
    initialFuel: 1_000_000_000_000n,
    maxModuleBytes: DEFAULT_LIMITS.maxModuleBytes,
  });
  const imports = {
    caxton: {
      send: () => 0,
      log: () => {},
      state_get: () => -1,
      state_set: () => 0,
      state_delete: () => 0,
      now_ms: () => 0n,
      register_capability: () => 0,
    },
  };
  const plain = new WebAssembly.Instance(
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    imports,
  );
  const metered = new WebAssembly.Instance(
    new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>),
    imports,
  );
  const n = 2_000_000;
  const run = (instance: WebAssembly.Instance) => {
    const exports = instance.exports as {
      compute: (n: number) => number;
      caxton_fuel?: WebAssembly.Global;
    };
    if (exports.caxton_fuel) exports.caxton_fuel.value = 1_000_000_000_000n;
    const t = performance.now();
    const result = exports.compute(n);
    return { ms: performance.now() - t, result };
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    run(plain);
    run(metered);
  }
  for (let i = 0; i < 15; i++) {
    const p = run(plain);
    const m = run(metered);
    if (p.result !== m.result) throw new Error(`metered result ${m.result} != ${p.result}`);
    a.push(p.ms);
    b.push(m.ms);
  }
  // The metered build must really be metered: a small budget stops the same call.
  const exports = metered.exports as {
    compute: (n: number) => number;
    caxton_fuel: WebAssembly.Global;
  };
  exports.caxton_fuel.value = 100_000n;
  try {
    exports.compute(n);
    throw new Error("the metered sieve ran to the end on 100,000 fuel: metering is broken");
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
  }
  const overhead = (median(b) / median(a) - 1) * 100;
  return [{
    metric: "fuel_overhead_pct",
    value: Math.round(overhead * 10) / 10,
    unit: "%",
    goal: "<= 25",
    note: `sieve to ${n}: ${median(a).toFixed(2)} ms plain, ${
      median(b).toFixed(2)
    } ms metered (medians of 15)`,
  }];
}

export async function run(): Promise<void> {
  const metrics = [
    ...(await fuelOverhead()),
    ...(await deploy100kb()),
    ...(await idleRssAndStart()),
    ...(await (await import("./storm.ts")).neighbourUnderStorm()),
  ];
  report("runtime", metrics);
}
