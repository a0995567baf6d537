/**
 * Fuel metering, injected into an agent module at deploy time. Fuel is the
 * only stop that works inside the process (a worker spinning in WASM ignores
 * `terminate()`), so every path of agent code runs metered — start function
 * and `caxton_init` included.
 *
 * The module gets a mutable i64 global exported as `caxton_fuel`, starting at
 * the initial slice. Code is charged per straight-line region, not per
 * instruction: the region's static expression count is subtracted once at its
 * start. When fuel goes below zero the code calls the host import
 * `caxton_meter.refuel(fuel) -> grant` and adds the grant: the host hands the
 * message's budget out in slices and, before each, checks the message's
 * wall-clock deadline, throwing to stop the code when it has passed or the
 * budget is spent (as wasmtime's epoch interruption does). So no agent code
 * runs longer than a slice past its deadline, however large its fuel budget.
 * The host sets the global before each call and reads it after.
 *
 * Where charges go, cheapest first:
 * - A *bounded* function (no loops, no indirect calls, calls only bounded
 *   functions or host imports, entered only by direct calls) has no charge of
 *   its own: each call site adds the function's whole cost to its own region.
 * - Every loop body is a region charged at the loop header.
 * - A function's entry region is charged at entry — unless it is entered only
 *   by direct calls and its calls can be preceded by a charge placed in an
 *   `if` arm or before a later statement: then the code before that charge is
 *   paid by each call site, and a recursive function's base case costs no
 *   charge of its own.
 * - A function whose only calls are to bounded functions that never reach the
 *   host keeps its fuel in a local while it runs (a register in the compiled
 *   code) and writes it back on return and before trapping for lack of fuel.
 *   So after a trap in such a function, `caxton_fuel` may not show the fuel
 *   the trapping call used; `refuel` is passed the local's value.
 *
 * Costs count binaryen expressions (binaryen is pinned), so the same module is
 * always charged the same, on every machine.
 *
 * @module
 */
import binaryen from "binaryen";
import { binaryenExtras } from "./binaryen_extras.ts";
import { ExpressionKind } from "./expression_reader.ts";
import { type FuelBuilder, fuelBuilder, fuelCharges } from "./fuel_charges.ts";
import {
  type ChargePlan,
  type Edit,
  measureRegions,
  placeLazyCharges,
  planCharges,
} from "./fuel_plan.ts";
import {
  childNode,
  type ExpressionTree,
  type FunctionFacts,
  scanFunctions,
} from "./function_scan.ts";
import { REFUEL_IMPORT } from "./fuel_meter.ts";
import { FUEL_EXPORT } from "./module_rules.ts";

const _K = ExpressionKind;

/** Options of {@linkcode injectFuelMetering}. */
export interface FuelMeteringOptions {
  /** The global's initial value: the first slice of the start function's budget. */
  initialFuel: bigint;
}

/**
 * Rewrites `module` in place so that all its code is charged fuel (see the
 * module documentation) and exports the fuel global as `caxton_fuel`.
 *
 * @throws {ModuleRejectedError} `unsupported_instruction` when a function
 *   uses an expression metering does not know.
 */
export function injectFuelMetering(module: binaryen.Module, options: FuelMeteringOptions): void {
  const functions = scanFunctions(module);
  const plan = planCharges(module, functions);
  const fuel = _freeGlobalName(module, FUEL_EXPORT);
  module.addGlobal(fuel, binaryen.i64, true, module.i64.const(options.initialFuel));
  module.addGlobalExport(fuel, FUEL_EXPORT);
  const refuel = _freeFunctionName(module, REFUEL_IMPORT.base);
  module.addFunctionImport(
    refuel,
    REFUEL_IMPORT.module,
    REFUEL_IMPORT.base,
    binaryen.i64,
    binaryen.i64,
  );
  const build = fuelBuilder(module, fuel, refuel);
  for (const fn of functions.values()) _instrumentFunction(build, fn, plan);
}

// ---------------------------------------------------------------------------
// Instrumenting.

function _instrumentFunction(build: FuelBuilder, fn: FunctionFacts, plan: ChargePlan): void {
  const mode = plan.modes.get(fn.name) ?? { kind: "entry" };
  if (mode.kind === "bounded") return; // its callers pay
  const tree = fn.tree;
  const cache = _fuelCachePlan(fn, plan);
  const fuelLocal = cache
    ? binaryenExtras._BinaryenFunctionAddVar(fn.ref, binaryen.i64)
    : undefined;
  const charges = fuelCharges(build, fuelLocal);
  const measures = measureRegions(tree, plan);

  // Everything is measured before anything is edited: an inserted charge must not count.
  const edits: Edit[] = [];
  const entryCost = mode.kind === "entry" ? measures.cost[0]! : undefined;
  if (mode.kind === "lazy") {
    placeLazyCharges(tree, measures, 0, { list: edits, charges });
  }
  for (const loop of fn.loops) {
    const body = childNode(tree, loop, 0);
    const cost = measures.cost[body]!;
    const loopRef = tree.refs[loop]!;
    const bodyRef = tree.refs[body]!;
    const bodyIsBlock = tree.kinds[body] === _K.block;
    edits.push(() => {
      const charged = charges.prepend(cost, bodyRef, bodyIsBlock);
      if (charged !== bodyRef) binaryenExtras.Loop.setBody(loopRef, charged);
    });
  }

  if (!cache || fuelLocal === undefined) {
    for (const edit of edits) edit();
    if (entryCost !== undefined) {
      const charged = charges.prepend(entryCost, fn.body, tree.kinds[0] === _K.block);
      if (charged !== fn.body) binaryenExtras.Function.setBody(fn.ref, charged);
    }
    return;
  }

  // Fuel lives in a local while the function runs: load it first, store it back on every return.
  const resultLocal = fn.results === binaryen.none
    ? undefined
    : binaryenExtras._BinaryenFunctionAddVar(fn.ref, fn.results);
  const storeFuel = () => build.globalSet(build.localGet(fuelLocal, binaryen.i64));
  /** Statements that run `value`, store the fuel, then give `value`'s result. */
  const storeAround = (value: binaryen.ExpressionRef): binaryen.ExpressionRef[] =>
    resultLocal === undefined ? [value, storeFuel()] : [
      build.localSet(resultLocal, value),
      storeFuel(),
      build.localGet(resultLocal, fn.results),
    ];
  for (const { node, value } of cache.valueReturns) {
    edits.push(() => binaryenExtras.Return.setValue(node, build.block(storeAround(value))));
  }
  for (const { node, replace } of cache.voidReturns) {
    edits.push(() => replace(build.block([storeFuel(), node])));
  }
  for (const edit of edits) edit();
  binaryenExtras.Function.setBody(
    fn.ref,
    build.block([
      build.localSet(fuelLocal, build.globalGet()),
      ...(entryCost === undefined ? [] : charges.statements(entryCost)),
      ...storeAround(fn.body),
    ]),
  );
}

interface _FuelCachePlan {
  valueReturns: { node: binaryen.ExpressionRef; value: binaryen.ExpressionRef }[];
  voidReturns: { node: binaryen.ExpressionRef; replace: (by: binaryen.ExpressionRef) => void }[];
}

/**
 * Decides whether `fn` may keep fuel in a local: it loops (else there is
 * nothing to gain), nothing it calls reads or charges the global, and every
 * `return` can get a store in front of it.
 */
function _fuelCachePlan(fn: FunctionFacts, plan: ChargePlan): _FuelCachePlan | undefined {
  if (!fn.hasLoop || fn.hasIndirectCall) return undefined;
  for (const callee of fn.callees) {
    const mode = plan.modes.get(callee);
    if (mode?.kind !== "bounded" || mode.reachesHost) return undefined;
  }
  const tree = fn.tree;
  const cache: _FuelCachePlan = { valueReturns: [], voidReturns: [] };
  for (const { node, parent } of fn.returns) {
    const ref = tree.refs[node]!;
    if (tree.counts[node]! > 0) {
      cache.valueReturns.push({ node: ref, value: tree.refs[childNode(tree, node, 0)]! });
      continue;
    }
    const replace = _childReplacer(tree, node, parent);
    if (!replace) return undefined;
    cache.voidReturns.push({ node: ref, replace });
  }
  return cache;
}

/**
 * How to put another expression where `child` stands, for the parents a
 * `return` has in practice (a loop body is left out: its charge goes there).
 */
function _childReplacer(
  tree: ExpressionTree,
  child: number,
  parent: number,
): ((by: binaryen.ExpressionRef) => void) | undefined {
  if (parent === -1) return undefined; // a body that is just `return` has no loop to cache for
  const parentRef = tree.refs[parent]!;
  const childRef = tree.refs[child]!;
  const kind = tree.kinds[parent];
  if (kind === _K.block) {
    // Looked up when applied: a charge may have been inserted before it by then.
    return (by) => {
      const count = binaryenExtras._BinaryenBlockGetNumChildren(parentRef);
      for (let index = 0; index < count; index++) {
        if (binaryenExtras._BinaryenBlockGetChildAt(parentRef, index) === childRef) {
          binaryenExtras.Block.setChildAt(parentRef, index, by);
          return;
        }
      }
    };
  }
  if (kind === _K.if && tree.counts[parent]! > 1 && childNode(tree, parent, 1) === child) {
    return (by) => binaryenExtras.If.setIfTrue(parentRef, by);
  }
  if (kind === _K.if && tree.counts[parent]! > 2 && childNode(tree, parent, 2) === child) {
    return (by) => binaryenExtras.If.setIfFalse(parentRef, by);
  }
  return undefined;
}

function _freeFunctionName(module: binaryen.Module, wanted: string): string {
  let name = wanted;
  for (let suffix = 1; module.getFunction(name) !== 0; suffix++) name = `${wanted}$${suffix}`;
  return name;
}

function _freeGlobalName(module: binaryen.Module, wanted: string): string {
  let name = wanted;
  for (let suffix = 1; module.getGlobal(name) !== 0; suffix++) name = `${wanted}$${suffix}`;
  return name;
}
