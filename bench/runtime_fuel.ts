/**
 * Runtime benchmarks of agent code's stops (see runtime.ts):
 *
 * - fuel_overhead_pct: a sieve in AssemblyScript, metered (fuel handed out in
 *   slices, deadline checked per slice, as in a worker) vs unmetered.
 * - interrupt_overhead_pct: the same metered sieve with slices and deadline
 *   checks vs one slice as large as the budget (no refuel call ever): what the
 *   wall-clock stop costs on top of fuel.
 * - deadline_stop_ms: an agent spinning with the highest fuel budget the API
 *   accepts, from its deadline to the trap.
 *
 * Each overhead sample runs the sieve several times (~0.1 s a sample) so that
 * a sample is long against the machine's noise; samples interleave plain and
 * metered runs, and the figure is the median of the per-sample ratios with
 * their spread (min–max). The three kinds of run take turns going first.
 */
import { median, type Metric, percentile } from "./_report.ts";
import { AgentInstance } from "../src/runtime/agent_instance.ts";
import { FuelMeter, REFUEL_IMPORT } from "../src/runtime/fuel_meter.ts";
import {
  DEFAULT_LIMITS,
  FUEL_PER_DEADLINE_MS,
  FUEL_SLICE,
  MAX_DEADLINE_MS,
} from "../src/runtime/mod.ts";
import { prepareModule } from "../src/runtime/prepare.ts";

function agent(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../build/agents/${name}.wasm`, import.meta.url));
}

const _HOST = {
  send: () => 0,
  log: () => {},
  state_get: () => -1,
  state_set: () => 0,
  state_delete: () => 0,
  now_ms: () => 0n,
  register_capability: () => 0,
};

interface _Sieve {
  compute: (n: number) => number;
  caxton_fuel?: WebAssembly.Global;
}

/** Overhead of metering and of the deadline checks on the compute benchmark. */
export async function fuelAndInterruptOverhead(): Promise<Metric[]> {
  const bytes = agent("compute_as");
  const budget = DEFAULT_LIMITS.fuelPerMessage * 100;
  const prepared = await prepareModule(bytes, {
    memoryCapPages: DEFAULT_LIMITS.memoryPages,
    initialFuel: BigInt(FUEL_SLICE),
    maxModuleBytes: DEFAULT_LIMITS.maxModuleBytes,
  });
  const meter = new FuelMeter();
  const meteredModule = new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>);
  const plain = new WebAssembly.Instance(
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    { caxton: _HOST },
  ).exports as unknown as _Sieve;
  const metered = new WebAssembly.Instance(meteredModule, {
    caxton: _HOST,
    [REFUEL_IMPORT.module]: { [REFUEL_IMPORT.base]: meter.refuel },
  }).exports as unknown as _Sieve;

  const n = 2_000_000;
  const callsPerSample = 10;
  const SAMPLES = 21;
  let refuels = 0;
  const countingRefuel = meter.refuel;
  /** Runs one sample; `sliced` hands fuel out in slices as a worker does. */
  const sample = (sieve: _Sieve, sliced?: boolean) => {
    const t = performance.now();
    let result = 0;
    for (let i = 0; i < callsPerSample; i++) {
      if (sieve.caxton_fuel) {
        const first = meter.begin(sliced ? budget : Number.MAX_SAFE_INTEGER, 60_000);
        sieve.caxton_fuel.value = BigInt(sliced ? first : Number.MAX_SAFE_INTEGER);
      }
      result = sieve.compute(n);
    }
    return { ms: performance.now() - t, result };
  };
  for (let i = 0; i < 3; i++) { // warm up every tier
    sample(plain);
    sample(metered, true);
    sample(metered, false);
  }
  const fuelRatios: number[] = [];
  const interruptRatios: number[] = [];
  const plainMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Each sample runs the three in a rotated order, so none always goes first.
    const runs = [() => sample(plain), () => sample(metered, true), () => sample(metered, false)];
    const timed = new Array(3);
    for (let k = 0; k < 3; k++) timed[(i + k) % 3] = runs[(i + k) % 3]!();
    const [p, sliced, whole] = timed as [
      ReturnType<typeof sample>,
      ReturnType<typeof sample>,
      ReturnType<typeof sample>,
    ];
    if (p.result !== sliced.result || p.result !== whole.result) {
      throw new Error(`metered result ${sliced.result}/${whole.result} != ${p.result}`);
    }
    plainMs.push(p.ms / callsPerSample);
    fuelRatios.push((sliced.ms / p.ms - 1) * 100);
    interruptRatios.push((sliced.ms / whole.ms - 1) * 100);
  }
  // The sliced runs really called refuel: count the calls of one run.
  const probe = (fuel: bigint) => (refuels++, countingRefuel(fuel));
  const counted = new WebAssembly.Instance(meteredModule, {
    caxton: _HOST,
    [REFUEL_IMPORT.module]: { [REFUEL_IMPORT.base]: probe },
  }).exports as unknown as _Sieve;
  counted.caxton_fuel!.value = BigInt(meter.begin(budget, 60_000));
  counted.compute(n);
  if (refuels === 0) throw new Error("the sliced sieve never asked for fuel: slicing is broken");
  const spread = (values: number[]) =>
    `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} %`;
  const round = (value: number) => Math.round(value * 10) / 10;
  return [
    {
      metric: "fuel_overhead_pct",
      value: round(median(fuelRatios)),
      unit: "%",
      goal: "<= 25",
      note: `sieve to ${n}, ${callsPerSample} calls a sample, ${SAMPLES} samples; spread ${
        spread(fuelRatios)
      }; plain ${median(plainMs).toFixed(2)} ms a call`,
    },
    {
      metric: "interrupt_overhead_pct",
      value: round(median(interruptRatios)),
      unit: "%",
      goal: "<= 5",
      note: `slices of ${FUEL_SLICE} (${refuels} refuels a call) vs one slice; spread ${
        spread(interruptRatios)
      }`,
    },
  ];
}

/** From the deadline to the trap, for an agent spinning on the highest accepted fuel budget. */
export async function deadlineStop(): Promise<Metric[]> {
  const bytes = agent("infinite_loop");
  const fuelPerMessage = MAX_DEADLINE_MS * FUEL_PER_DEADLINE_MS;
  const prepared = await prepareModule(bytes, {
    memoryCapPages: DEFAULT_LIMITS.memoryPages,
    initialFuel: BigInt(FUEL_SLICE),
    maxModuleBytes: DEFAULT_LIMITS.maxModuleBytes,
  });
  const module = new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>);
  const deadlineMs = 50;
  const { instance } = AgentInstance.create(
    "spinner",
    module,
    { ...DEFAULT_LIMITS, fuelPerMessage, deadlineMs },
    new Map(),
  );
  const late: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const result = instance.handle('{"performative":"request","receiver":["spinner"]}');
    if (result.failureCode !== "deadline_exceeded") {
      throw new Error(`the spinner stopped with ${result.failure}, not at its deadline`);
    }
    late.push(performance.now() - t - deadlineMs);
  }
  return [{
    metric: "deadline_stop_ms",
    value: Math.round(median(late) * 100) / 100,
    unit: "ms",
    goal: "<= 10",
    note: `fuelPerMessage ${fuelPerMessage}, deadline ${deadlineMs} ms, median of 30; p99 ${
      percentile(late, 99).toFixed(2)
    } ms`,
  }];
}
