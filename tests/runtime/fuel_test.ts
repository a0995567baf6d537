/**
 * Fuel metering and the memory cap, checked by running metered modules built
 * from WAT: runaway code stops, fuel is deterministic, results do not change.
 */
import assert from "node:assert/strict";
import binaryen from "binaryen";
import { prepareModule, type PrepareOptions } from "../../src/runtime/prepare.ts";
import { wat } from "../_support/wat.ts";

const OPTIONS: PrepareOptions = {
  memoryCapPages: 4,
  initialFuel: 1_000_000n,
  maxModuleBytes: 1 << 20,
};

/** What the last call of the refuel import was given: the fuel left, below zero. */
let refuelledWith: bigint | undefined;

/**
 * The host functions, and a refuel import that grants nothing: a metered
 * module's fuel global is then its whole budget, and running out traps.
 * (The node's own refuel, which hands out slices, is in fuel_meter.ts.)
 */
const HOST = {
  caxton_meter: {
    refuel: (fuel: bigint): bigint => {
      refuelledWith = fuel;
      throw new WebAssembly.RuntimeError("out of fuel");
    },
  },
  caxton: {
    send: () => 0,
    log: () => {},
    state_get: () => -1,
    state_set: () => 0,
    state_delete: () => -1,
    now_ms: () => 0n,
    register_capability: () => 0,
  },
};

/** An ABI v1 agent around `body` (functions; may replace the defaults by defining `$handle`). */
function agent(body: string, options: { memory?: string; handle?: string } = {}): string {
  return `(module
    (memory (export "memory") ${options.memory ?? "1"})
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
      ${options.handle ?? "(i32.const 0)"})
    ${body})`;
}

/** Whether the code ran out of fuel since the last look: refuel was asked with fuel below zero. */
function ranOutOfFuel(): boolean {
  const ran = refuelledWith !== undefined && refuelledWith < 0n;
  refuelledWith = undefined;
  return ran;
}

interface Metered {
  exports: WebAssembly.Exports;
  fuel: WebAssembly.Global;
  /** Sets the budget, runs `fn`, returns the fuel it used. */
  fuelUsedBy(fn: () => unknown, budget?: bigint): bigint;
}

async function instantiateMetered(
  source: string,
  options: Partial<PrepareOptions> = {},
): Promise<Metered> {
  const prepared = await prepareModule(wat(source), { ...OPTIONS, ...options });
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>),
    HOST,
  );
  const fuel = instance.exports.caxton_fuel as WebAssembly.Global;
  return {
    exports: instance.exports,
    fuel,
    fuelUsedBy(fn, budget = 10_000_000_000n) {
      fuel.value = budget;
      fn();
      return budget - (fuel.value as bigint);
    },
  };
}

function instantiatePlain(source: string): WebAssembly.Exports {
  return new WebAssembly.Instance(
    new WebAssembly.Module(wat(source) as Uint8Array<ArrayBuffer>),
    HOST,
  ).exports;
}

async function meteredText(source: string): Promise<string> {
  const prepared = await prepareModule(wat(source), OPTIONS);
  binaryen.setDebugInfo(true);
  const module = binaryen.readBinary(prepared.metered);
  try {
    return module.emitText();
  } finally {
    module.dispose();
  }
}

/** The text of function `$name` in binaryen's printed module. */
function functionText(text: string, name: string): string {
  const start = text.indexOf(`(func $${name} `);
  assert.notEqual(start, -1, `function $${name} in the metered module`);
  const next = text.indexOf("\n (func ", start + 1);
  return text.slice(start, next === -1 ? undefined : next);
}

const FIB = `
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $fib_early (param $n i32) (result i32)
    (if (i32.lt_s (local.get $n) (i32.const 2)) (then (return (local.get $n))))
    (i32.add (call $fib_early (i32.sub (local.get $n) (i32.const 1)))
             (call $fib_early (i32.sub (local.get $n) (i32.const 2)))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  (func (export "fib_early") (param i32) (result i32) (call $fib_early (local.get 0)))`;

const SIEVE = `
  (func $sieve (param $n i32) (result i32) (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 1) (i32.add (local.get $n) (i32.const 1)))
    (local.set $i (i32.const 2))
    (block $done (loop $outer
      (br_if $done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
      (if (i32.load8_u (local.get $i)) (then
        (local.set $j (i32.mul (local.get $i) (local.get $i)))
        (block $inner_done (loop $inner
          (br_if $inner_done (i32.gt_u (local.get $j) (local.get $n)))
          (i32.store8 (local.get $j) (i32.const 0))
          (local.set $j (i32.add (local.get $j) (local.get $i)))
          (br $inner)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $outer)))
    (local.set $i (i32.const 2))
    (block $counted (loop $count
      (br_if $counted (i32.gt_u (local.get $i) (local.get $n)))
      (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $count)))
    (local.get $count))
  (func (export "sieve") (param i32) (result i32) (call $sieve (local.get 0)))`;

Deno.test("an infinite loop in caxton_handle asks for fuel below zero and traps when none is granted", async () => {
  const metered = await instantiateMetered(
    agent("", { handle: "(loop $forever (br $forever)) (i32.const 0)" }),
  );
  metered.fuel.value = 100_000n;
  assert.throws(
    () => (metered.exports.caxton_handle as (p: number, l: number) => number)(0, 0),
    WebAssembly.RuntimeError,
  );
  assert.ok(ranOutOfFuel());
});

Deno.test("an infinite loop in an internal function that keeps fuel in a local still asks for fuel below zero", async () => {
  const metered = await instantiateMetered(agent(`
    (func $spin (local $i i32) (loop $forever (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $forever)))
    (func (export "spin") (call $spin))`));
  metered.fuel.value = 100_000n;
  assert.throws(() => (metered.exports.spin as () => void)(), WebAssembly.RuntimeError);
  assert.ok(ranOutOfFuel());
});

Deno.test("the same call costs the same fuel every time", async () => {
  const metered = await instantiateMetered(agent(FIB + SIEVE));
  const fib = metered.exports.fib as (n: number) => number;
  const sieve = metered.exports.sieve as (n: number) => number;
  const fibFuel = metered.fuelUsedBy(() => fib(15));
  assert.ok(fibFuel > 0n);
  assert.equal(metered.fuelUsedBy(() => fib(15)), fibFuel);
  const sieveFuel = metered.fuelUsedBy(() => sieve(10_000));
  assert.ok(sieveFuel > 10_000n, "at least one unit per loop iteration");
  assert.equal(metered.fuelUsedBy(() => sieve(10_000)), sieveFuel);
  // And across instances of the same module.
  const again = await instantiateMetered(agent(FIB + SIEVE));
  assert.equal(again.fuelUsedBy(() => (again.exports.fib as (n: number) => number)(15)), fibFuel);
});

Deno.test("more work costs more fuel", async () => {
  const metered = await instantiateMetered(agent(FIB + SIEVE));
  const fib = metered.exports.fib as (n: number) => number;
  assert.ok(metered.fuelUsedBy(() => fib(16)) > metered.fuelUsedBy(() => fib(15)));
  const sieve = metered.exports.sieve as (n: number) => number;
  assert.ok(metered.fuelUsedBy(() => sieve(2_000)) > metered.fuelUsedBy(() => sieve(1_000)));
});

Deno.test("an infinite loop in the start function traps at instantiation", async () => {
  const prepared = await prepareModule(
    wat(agent(`(func $start (loop $forever (br $forever))) (start $start)`)),
    OPTIONS,
  );
  const module = new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>);
  assert.throws(() => new WebAssembly.Instance(module, HOST), WebAssembly.RuntimeError);
});

Deno.test("caxton_init runs on the initial fuel and an endless one traps", async () => {
  const metered = await instantiateMetered(
    agent(`(func (export "caxton_init") (result i32) (loop $forever (br $forever)) (i32.const 0))`),
    { initialFuel: 5_000n },
  );
  assert.equal(metered.fuel.value, 5_000n, "caxton_fuel starts at the initial fuel");
  assert.throws(() => (metered.exports.caxton_init as () => number)(), WebAssembly.RuntimeError);
  assert.ok(ranOutOfFuel());
});

Deno.test("infinite recursion is stopped", async () => {
  const metered = await instantiateMetered(agent(`
    (func $down (param $n i32) (result i32) (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
    (func (export "down") (result i32) (call $down (i32.const 0)))`));
  metered.fuel.value = 1_000_000n;
  // Fuel or the stack runs out first, depending on the budget: either way it stops.
  assert.throws(
    () => (metered.exports.down as () => number)(),
    (error) => error instanceof WebAssembly.RuntimeError || error instanceof RangeError,
  );
  metered.fuel.value = 1_000n;
  assert.throws(() => (metered.exports.down as () => number)(), WebAssembly.RuntimeError);
  assert.ok(ranOutOfFuel());
});

Deno.test("metered fib and sieve compute what unmetered ones do", async () => {
  const source = agent(FIB + SIEVE, { memory: "2" });
  const { exports: metered, fuel } = await instantiateMetered(source);
  fuel.value = 1_000_000_000n;
  const plain = instantiatePlain(source);
  for (const n of [0, 1, 2, 10, 20]) {
    assert.equal(
      (metered.fib as (n: number) => number)(n),
      (plain.fib as (n: number) => number)(n),
    );
    assert.equal(
      (metered.fib_early as (n: number) => number)(n),
      (plain.fib_early as (n: number) => number)(n),
    );
  }
  assert.equal((metered.sieve as (n: number) => number)(100_000), 9_592);
  assert.equal((plain.sieve as (n: number) => number)(100_000), 9_592);
});

Deno.test("memory.grow past the cap returns -1 and the declared maximum is lowered", async () => {
  const source = agent(
    `(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))`,
    {
      memory: "1 100",
    },
  );
  const metered = await instantiateMetered(source, { memoryCapPages: 4 });
  const grow = metered.exports.grow as (pages: number) => number;
  assert.equal(grow(2), 1);
  assert.equal(grow(2), -1, "1 + 2 + 2 pages is over the cap of 4");
  assert.equal(grow(1), 3);
  assert.equal(grow(1), -1);
  const prepared = await prepareModule(wat(source), { ...OPTIONS, memoryCapPages: 4 });
  assert.equal(prepared.memoryInitialPages, 1);
  assert.equal(prepared.memoryMaxPages, 4);
});

Deno.test("a declared maximum under the cap is kept", async () => {
  const prepared = await prepareModule(wat(agent("", { memory: "1 2" })), {
    ...OPTIONS,
    memoryCapPages: 4,
  });
  assert.equal(prepared.memoryMaxPages, 2);
});

Deno.test("data segments, active and passive, survive the memory rewrite", async () => {
  const metered = await instantiateMetered(agent(`
    (data (i32.const 16) "active")
    (data $later "passive")
    (func (export "load_at") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "init_passive") (memory.init $later (i32.const 100) (i32.const 0) (i32.const 7)) (data.drop $later))`));
  const loadAt = metered.exports.load_at as (offset: number) => number;
  assert.equal(String.fromCharCode(loadAt(16), loadAt(17)), "ac");
  (metered.exports.init_passive as () => void)();
  assert.equal(String.fromCharCode(loadAt(100), loadAt(106)), "pe");
});

Deno.test("a leaf function is charged at its call sites, and a loop calling it is still bounded", async () => {
  const source = agent(`
    (func $leaf (param $x i32) (result i32) (i32.mul (i32.add (local.get $x) (i32.const 1)) (i32.const 3)))
    (func $leaf_loop (param $n i32) (result i32) (local $acc i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $leaf (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      (local.get $acc))
    (func $forever (loop $again (drop (call $leaf (i32.const 1))) (br $again)))
    (func (export "leaf_loop") (param i32) (result i32) (call $leaf_loop (local.get 0)))
    (func (export "forever") (call $forever))`);
  const text = await meteredText(source);
  assert.doesNotMatch(
    functionText(text, "leaf"),
    /caxton_fuel/,
    "the leaf has no charge of its own",
  );
  const metered = await instantiateMetered(source);
  const leafLoop = metered.exports.leaf_loop as (n: number) => number;
  const perIteration = metered.fuelUsedBy(() => leafLoop(11)) -
    metered.fuelUsedBy(() => leafLoop(10));
  // The loop body holds 12 expressions; the leaf's 6 are added at the call site.
  assert.ok(
    perIteration >= 6n + 10n,
    `an iteration costs the loop body and the leaf (${perIteration})`,
  );
  metered.fuel.value = 50_000n;
  assert.throws(() => (metered.exports.forever as () => void)(), WebAssembly.RuntimeError);
  assert.ok(ranOutOfFuel());
});

Deno.test("a recursive function's base case is paid by its caller", async () => {
  const text = await meteredText(agent(FIB));
  const fib = functionText(text, "fib");
  // The only charge sits in the arm that recurses, not at entry: one
  // subtraction, and the refuel that adds to the global when it goes below zero.
  assert.equal(fib.match(/global\.set \$caxton_fuel/g)?.length, 2);
  assert.equal(fib.match(/i64\.add/g)?.length, 1, "one refuel, adding its grant");
  assert.match(fib, /\(else\s+\(global\.set \$caxton_fuel/);
});

Deno.test("fuel kept in a local is written back on every kind of return", async () => {
  const metered = await instantiateMetered(agent(`
    (global $sink (mut i32) (i32.const 0))
    (func $count_void (param $n i32) (local $i i32)
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return)))
        (global.set $sink (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (func $count_value (param $n i32) (result i32) (local $i i32)
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))
      (unreachable))
    (func $count_fallthrough (param $n i32) (result i32) (local $i i32)
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (local.get $i))
    (func (export "count_void") (param i32) (call $count_void (local.get 0)))
    (func (export "count_value") (param i32) (result i32) (call $count_value (local.get 0)))
    (func (export "count_fallthrough") (param i32) (result i32) (call $count_fallthrough (local.get 0)))`));
  for (const name of ["count_void", "count_value", "count_fallthrough"]) {
    const count = metered.exports[name] as (n: number) => number;
    const ten = metered.fuelUsedBy(() => count(10));
    const twenty = metered.fuelUsedBy(() => count(20));
    assert.ok(
      twenty - ten >= 10n * 5n,
      `${name}: ten more iterations cost at least 5 each (${twenty - ten})`,
    );
    assert.equal(metered.fuelUsedBy(() => count(20)), twenty, `${name} is deterministic`);
  }
  assert.equal((metered.exports.count_value as (n: number) => number)(7), 7);
});

Deno.test("functions reached by call_indirect are metered", async () => {
  const metered = await instantiateMetered(agent(`
    (type $void (func))
    (table 1 funcref)
    (elem (i32.const 0) $forever)
    (func $forever (loop $again (br $again)))
    (func $bump (param $n i32) (result i32) (i32.add (local.get $n) (i32.const 1)))
    (func (export "indirect") (call_indirect (type $void) (i32.const 0)))`));
  metered.fuel.value = 10_000n;
  assert.throws(() => (metered.exports.indirect as () => void)(), WebAssembly.RuntimeError);
  assert.ok(ranOutOfFuel());
});

Deno.test("host calls see the fuel global up to date", async () => {
  // Imports come first in WAT, so this module is written out in full.
  const source = `(module
    (import "caxton" "now_ms" (func $now (result i64)))
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0))
    (func $work (param $n i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $now))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
    (func (export "work") (param i32) (call $work (local.get 0))))`;
  const readings: bigint[] = [];
  const exported: { fuel?: WebAssembly.Global } = {};
  const prepared = await prepareModule(wat(source), OPTIONS);
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>),
    {
      caxton_meter: HOST.caxton_meter,
      caxton: { now_ms: () => (readings.push(exported.fuel?.value as bigint), 0n) },
    },
  );
  exported.fuel = instance.exports.caxton_fuel as WebAssembly.Global;
  exported.fuel.value = 1_000_000n;
  (instance.exports.work as (n: number) => void)(3);
  const [first, second, third] = readings;
  assert.equal(readings.length, 3);
  assert.ok(first! > second!, "fuel drops between host calls");
  assert.equal(second! - third!, first! - second!, "by the same amount per iteration");
});
