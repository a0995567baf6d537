/**
 * Fuel metering and the memory cap, injected into an agent module at deploy
 * time. Fuel is the only stop that works inside the process (a worker spinning
 * in WASM ignores `terminate()`), so every path of agent code runs metered —
 * start function and `caxton_init` included.
 *
 * The module gets a mutable i64 global exported as `caxton_fuel`, starting at
 * the initial budget. Code is charged per straight-line region, not per
 * instruction: the region's static expression count is subtracted once at its
 * start, and the module traps (`unreachable`) when fuel goes below zero. The
 * host sets the global before each call and reads it after; after a trap, a
 * negative value means the fuel ran out.
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
 *   So after any other trap in such a function, `caxton_fuel` may not show the
 *   fuel the trapping call used.
 *
 * Costs count binaryen expressions (binaryen is pinned), so the same module is
 * always charged the same, on every machine.
 *
 * @module
 */
import binaryen from "binaryen";
import {
  type ExpressionNode,
  FUEL_EXPORT,
  ModuleRejectedError,
  readExpression,
} from "./module_rules.ts";

/** Options of {@linkcode injectFuelMetering}. */
export interface FuelMeteringOptions {
  /** The global's initial value: the budget of the start function and `caxton_init`. */
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
  const functions = _scanFunctions(module);
  const plan = _planCharges(module, functions);
  const fuel = _freeGlobalName(module, FUEL_EXPORT);
  module.addGlobal(fuel, binaryen.i64, true, module.i64.const(options.initialFuel));
  module.addGlobalExport(fuel, FUEL_EXPORT);
  for (const fn of functions.values()) _instrumentFunction(module, fn, plan, fuel);
}

/** Options of {@linkcode capMemoryMaximum}. */
export interface MemoryCap {
  /** binaryen's internal name of the module's only memory. */
  memoryName: string;
  /** Initial pages, kept as declared. */
  initialPages: number;
  /** The new maximum, in pages; `memory.grow` past it returns -1. */
  maxPages: number;
}

/**
 * Re-declares the module's memory with maximum `maxPages`, keeping its name
 * (so its exports still point at it) and its data segments.
 *
 * @throws {ModuleRejectedError} `unsupported_feature` when a data segment's
 *   offset is not a constant binaryen can read.
 */
export function capMemoryMaximum(module: binaryen.Module, cap: MemoryCap): void {
  const reader = module as unknown as _DataSegmentReader;
  const segments: _NamedMemorySegment[] = [];
  for (let index = 0; index < reader.getNumDataSegments(); index++) {
    let segment: _DataSegmentInfo;
    try {
      segment = reader.getDataSegmentInfo(reader.getDataSegmentByIndex(index));
    } catch (thrown) {
      throw new ModuleRejectedError(
        "unsupported_feature",
        `Cannot deploy module: data segment ${index} has an offset Caxton cannot read ` +
          `(${binaryenErrorMessage(thrown)}); use constant segment offsets (no extended-const)`,
      );
    }
    segments.push({
      name: segment.name, // memory.init and data.drop refer to it
      data: new Uint8Array(segment.data),
      passive: segment.passive,
      // Offsets are u32; i32.const takes them signed.
      offset: segment.passive ? 0 : module.i32.const((segment.offset ?? 0) | 0),
    });
  }
  module.setMemory(cap.initialPages, cap.maxPages, null, segments, false, false, cap.memoryName);
}

/**
 * Turns what binaryen.js throws (a plain object wrapping a C++ exception)
 * into text.
 */
export function binaryenErrorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  try {
    return _extras.getExceptionMessage(thrown)[1] ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

// ---------------------------------------------------------------------------
// binaryen.js API its bundled typings leave out (present in binaryen 132).

interface _BinaryenExtras {
  getExceptionMessage(thrown: unknown): [string, string | undefined];
  _BinaryenFunctionAddVar(fn: binaryen.FunctionRef, type: binaryen.Type): number;
  Function: { setBody(fn: binaryen.FunctionRef, body: binaryen.ExpressionRef): void };
  Loop: { setBody(loop: binaryen.ExpressionRef, body: binaryen.ExpressionRef): void };
  Return: { setValue(node: binaryen.ExpressionRef, value: binaryen.ExpressionRef): void };
  If: {
    setIfTrue(node: binaryen.ExpressionRef, arm: binaryen.ExpressionRef): void;
    setIfFalse(node: binaryen.ExpressionRef, arm: binaryen.ExpressionRef): void;
  };
  Block: {
    setChildAt(block: binaryen.ExpressionRef, index: number, child: binaryen.ExpressionRef): void;
    insertChildAt(
      block: binaryen.ExpressionRef,
      index: number,
      child: binaryen.ExpressionRef,
    ): void;
  };
}
const _extras = binaryen as unknown as _BinaryenExtras;

interface _DataSegmentInfo {
  name: string;
  offset: number | null;
  data: ArrayBuffer;
  passive: boolean;
}
interface _DataSegmentReader {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): _DataSegmentInfo;
}
interface _NamedMemorySegment extends binaryen.MemorySegment {
  name: string;
}

// ---------------------------------------------------------------------------
// Scanning: what each function calls, whether it loops, what escapes.

/** Reads an expression of one function (its name goes into refusals). */
type _Read = (expr: binaryen.ExpressionRef) => ExpressionNode;

interface _FunctionFacts {
  name: string;
  read: _Read;
  ref: binaryen.FunctionRef;
  body: binaryen.ExpressionRef;
  results: binaryen.Type;
  callees: Set<string>;
  /** Functions it takes a reference to (`ref.func`): those escape. */
  referenced: Set<string>;
  loops: { node: binaryen.ExpressionRef; body: binaryen.ExpressionRef }[];
  /** Every `return`, with its parent, in case fuel is cached in a local. */
  returns: {
    node: binaryen.ExpressionRef;
    parent: binaryen.ExpressionRef;
    value?: binaryen.ExpressionRef;
  }[];
  hasLoop: boolean;
  hasIndirectCall: boolean;
}

/** Walks `body` depth-first, calling `visit` once per expression with its parent. */
function _walk(
  body: binaryen.ExpressionRef,
  read: _Read,
  visit: (
    expr: binaryen.ExpressionRef,
    node: ExpressionNode,
    parent: binaryen.ExpressionRef,
  ) => void,
): void {
  const pending: [binaryen.ExpressionRef, binaryen.ExpressionRef][] = [[body, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [expr, parent] = next;
    const node = read(expr);
    visit(expr, node, parent);
    for (const child of node.children) pending.push([child, expr]);
  }
}

function _scanFunctions(module: binaryen.Module): Map<string, _FunctionFacts> {
  const functions = new Map<string, _FunctionFacts>();
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const ref = module.getFunctionByIndex(index);
    const info = binaryen.getFunctionInfo(ref);
    if (info.module) continue; // a host import: bounded by the ABI
    const read: _Read = (expr) => readExpression(expr, info.name);
    const facts: _FunctionFacts = {
      name: info.name,
      read,
      ref,
      body: info.body,
      results: info.results,
      callees: new Set(),
      referenced: new Set(),
      loops: [],
      returns: [],
      hasLoop: false,
      hasIndirectCall: false,
    };
    // One pass collects all later passes need, except costs.
    _walk(info.body, read, (expr, node, parent) => {
      if (node.kind === "loop") facts.loops.push({ node: expr, body: node.body });
      else if (node.kind === "call") facts.callees.add(node.callee);
      else if (node.kind === "call_indirect") facts.hasIndirectCall = true;
      else if (node.kind === "ref_func") facts.referenced.add(node.target);
      else if (node.kind === "return") {
        facts.returns.push({ node: expr, parent, value: node.children[0] });
      }
    });
    facts.hasLoop = facts.loops.length > 0;
    functions.set(info.name, facts);
  }
  return functions;
}

/** Functions entered other than by a direct call: exports, start, tables, `ref.func`. */
function _escapingFunctions(
  module: binaryen.Module,
  functions: Map<string, _FunctionFacts>,
): Set<string> {
  const escaping = new Set<string>();
  for (let index = 0; index < module.getNumExports(); index++) {
    const exported = binaryen.getExportInfo(module.getExportByIndex(index));
    if (exported.kind === binaryen.ExternalFunction) escaping.add(exported.value);
  }
  const start = module.getStart();
  if (start) escaping.add(binaryen.getFunctionInfo(start).name);
  for (let index = 0; index < module.getNumElementSegments(); index++) {
    for (
      const name of binaryen.getElementSegmentInfo(module.getElementSegmentByIndex(index)).data
    ) {
      escaping.add(name);
    }
  }
  for (const fn of functions.values()) for (const name of fn.referenced) escaping.add(name);
  return escaping;
}

// ---------------------------------------------------------------------------
// Planning: which functions are bounded, which charge lazily, and at what cost.

/** Above this cost a bounded function charges at its own entry, so call sites are not charged far more than runs. */
const _MAX_INLINED_COST = 512;

/** How deep charges are pushed into nested blocks and arms of a lazy function. */
const _MAX_LAZY_DEPTH = 64;

/** How a function pays for the code it runs before its first own charge. */
type _Mode =
  /** No charges inside; each call site pays `cost`. */
  | { kind: "bounded"; cost: number; reachesHost: boolean }
  /** Charges placed before its calls; each call site pays `prefixCost`. */
  | { kind: "lazy"; prefixCost: number }
  /** Charges its whole entry region at entry. */
  | { kind: "entry" };

interface _Plan {
  modes: Map<string, _Mode>;
  /** Functions defined in the module; anything else called is a host import. */
  defined: ReadonlySet<string>;
}

function _planCharges(module: binaryen.Module, functions: Map<string, _FunctionFacts>): _Plan {
  const escaping = _escapingFunctions(module, functions);
  const plan: _Plan = { modes: new Map(), defined: new Set(functions.keys()) };

  // Bounded functions, callees first. A function reaching one still being
  // visited is in a call cycle, so never bounded: remembering "unbounded"
  // answers is safe, and keeps shared callees from being explored again.
  const visiting = new Set<string>();
  const unbounded = new Set<string>();
  const classifyBounded = (fn: _FunctionFacts): void => {
    if (plan.modes.has(fn.name) || unbounded.has(fn.name) || visiting.has(fn.name)) return;
    if (escaping.has(fn.name) || fn.hasLoop || fn.hasIndirectCall) {
      unbounded.add(fn.name);
      return;
    }
    visiting.add(fn.name);
    let reachesHost = false;
    let bounded = true;
    for (const callee of fn.callees) {
      const calleeFacts = functions.get(callee);
      if (!calleeFacts) {
        reachesHost = true;
        continue;
      }
      classifyBounded(calleeFacts);
      const mode = plan.modes.get(callee);
      if (mode?.kind !== "bounded") bounded = false;
      else reachesHost ||= mode.reachesHost;
    }
    visiting.delete(fn.name);
    const cost = bounded ? _measure(fn.body, fn.read, plan, new Map()).cost : Infinity;
    if (cost <= _MAX_INLINED_COST) plan.modes.set(fn.name, { kind: "bounded", cost, reachesHost });
    else unbounded.add(fn.name);
  };
  for (const fn of functions.values()) classifyBounded(fn);

  // The rest. A prefix only holds code that calls nothing self-charging, so
  // its cost does not depend on other functions' modes.
  for (const fn of functions.values()) {
    if (plan.modes.has(fn.name)) continue;
    const prefixCost = escaping.has(fn.name)
      ? undefined
      : _placeLazyCharges(fn.body, fn.read, plan, new Map(), undefined);
    plan.modes.set(
      fn.name,
      prefixCost === undefined ? { kind: "entry" } : { kind: "lazy", prefixCost },
    );
  }
  return plan;
}

interface _Measure {
  /** Expressions in the region, plus what bounded and lazy callees charge their call sites. */
  cost: number;
  /** The region calls code that charges fuel itself. */
  callsCharging: boolean;
}

/**
 * Measures the region rooted at `expr`. A loop body is a region of its own,
 * so a nested loop counts as one expression here.
 */
function _measure(
  root: binaryen.ExpressionRef,
  read: _Read,
  plan: _Plan,
  memo: Map<binaryen.ExpressionRef, _Measure>,
): _Measure {
  // Iterative, post-order: compilers nest a block per `switch` case, so depth
  // can reach thousands, past what JS recursion survives.
  const stack: { expr: binaryen.ExpressionRef; node?: ExpressionNode }[] = [{ expr: root }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (memo.has(top.expr)) {
      stack.pop();
      continue;
    }
    if (!top.node) {
      top.node = read(top.expr);
      if (top.node.kind !== "loop") {
        for (const child of top.node.children) stack.push({ expr: child });
      }
      continue;
    }
    stack.pop();
    const node = top.node;
    const measure: _Measure = { cost: 1, callsCharging: node.kind === "call_indirect" };
    if (node.kind === "call") {
      const mode = plan.modes.get(node.callee);
      if (mode?.kind === "bounded") {
        measure.cost += mode.cost;
      } else if (plan.defined.has(node.callee)) {
        // While planning, a callee not planned yet counts 0: then only the
        // cost of code that calls nothing self-charging is used.
        if (mode?.kind === "lazy") measure.cost += mode.prefixCost;
        measure.callsCharging = true;
      }
    }
    if (node.kind !== "loop") {
      for (const child of node.children) {
        const part = memo.get(child)!;
        measure.cost = _saturatingAdd(measure.cost, part.cost);
        measure.callsCharging ||= part.callsCharging;
      }
    }
    memo.set(top.expr, measure);
  }
  return memo.get(root)!;
}

type _Edit = () => void;

/**
 * Places charges inside `expr`, part of a lazy function's entry region, so
 * that every call to self-charging code is preceded by a charge covering it;
 * returns the cost of what stays uncharged, which each call site pays. Returns
 * `undefined` when no placement inside `expr` works and all of it must be
 * charged before it. Without `edits` it only plans.
 */
function _placeLazyCharges(
  expr: binaryen.ExpressionRef,
  read: _Read,
  plan: _Plan,
  memo: Map<binaryen.ExpressionRef, _Measure>,
  edits: { list: _Edit[]; charges: _Charges } | undefined,
  depth = 0,
): number | undefined {
  const measure = (ref: binaryen.ExpressionRef) => _measure(ref, read, plan, memo);
  const whole = measure(expr);
  if (!whole.callsCharging) return whole.cost;
  // Deeper than this, charge here rather than recurse on: still correct, only less lazy.
  if (depth >= _MAX_LAZY_DEPTH) return undefined;
  const node = read(expr);
  if (node.kind === "block") {
    // Statements before the first that calls stay uncharged; a charge right
    // before that one covers it and all after it, since a branch can leave a
    // block but never jump into its middle.
    let uncharged = 1;
    for (const [index, child] of node.children.entries()) {
      const inner = _placeLazyCharges(child, read, plan, memo, edits, depth + 1);
      if (inner !== undefined) {
        uncharged = _saturatingAdd(uncharged, inner);
        continue;
      }
      const rest = node.children.slice(index).reduce(
        (sum, ref) => _saturatingAdd(sum, measure(ref).cost),
        0,
      );
      edits?.list.push(() => _extras.Block.insertChildAt(expr, index, edits.charges.charge(rest)));
      return uncharged;
    }
    return uncharged;
  }
  if (node.kind === "if" && !measure(node.condition).callsCharging) {
    // The condition and arms that call nothing stay uncharged; an arm that
    // calls is charged at its start.
    let uncharged = _saturatingAdd(1, measure(node.condition).cost);
    for (const [index, arm] of node.arms.entries()) {
      const inner = _placeLazyCharges(arm, read, plan, memo, edits, depth + 1);
      if (inner !== undefined) {
        uncharged = _saturatingAdd(uncharged, inner);
      } else if (edits) {
        const cost = measure(arm).cost;
        const setArm = index === 0 ? _extras.If.setIfTrue : _extras.If.setIfFalse;
        edits.list.push(() => setArm(expr, edits.charges.prepend(cost, arm)));
      }
    }
    return uncharged;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Instrumenting.

function _instrumentFunction(
  module: binaryen.Module,
  fn: _FunctionFacts,
  plan: _Plan,
  fuel: string,
): void {
  const mode = plan.modes.get(fn.name) ?? { kind: "entry" };
  if (mode.kind === "bounded") return; // its callers pay
  const cache = _fuelCachePlan(fn, plan);
  const fuelLocal = cache ? _extras._BinaryenFunctionAddVar(fn.ref, binaryen.i64) : undefined;
  const charges = _charges(module, fuel, fuelLocal);
  const memo = new Map<binaryen.ExpressionRef, _Measure>();
  const measure = (ref: binaryen.ExpressionRef) => _measure(ref, fn.read, plan, memo);

  // Everything is measured before anything is edited: an inserted charge must not count.
  const edits: _Edit[] = [];
  const entryCost = mode.kind === "entry" ? measure(fn.body).cost : undefined;
  if (mode.kind === "lazy") {
    _placeLazyCharges(fn.body, fn.read, plan, memo, { list: edits, charges });
  }
  for (const loop of fn.loops) {
    const cost = measure(loop.body).cost;
    edits.push(() => _extras.Loop.setBody(loop.node, charges.prepend(cost, loop.body)));
  }

  if (!cache || fuelLocal === undefined) {
    for (const edit of edits) edit();
    if (entryCost !== undefined) {
      _extras.Function.setBody(fn.ref, charges.prepend(entryCost, fn.body));
    }
    return;
  }

  // Fuel lives in a local while the function runs: load it first, store it back on every return.
  const resultLocal = fn.results === binaryen.none
    ? undefined
    : _extras._BinaryenFunctionAddVar(fn.ref, fn.results);
  const storeFuel = () => module.global.set(fuel, module.local.get(fuelLocal, binaryen.i64));
  const storeAround = (value: binaryen.ExpressionRef): binaryen.ExpressionRef =>
    resultLocal === undefined
      ? module.block(null, [value, storeFuel()], binaryen.auto)
      : module.block(null, [
        module.local.set(resultLocal, value),
        storeFuel(),
        module.local.get(resultLocal, fn.results),
      ], binaryen.auto);
  for (const { node, value } of cache.valueReturns) {
    edits.push(() => _extras.Return.setValue(node, storeAround(value)));
  }
  for (const { node, replace } of cache.voidReturns) {
    edits.push(() => replace(module.block(null, [storeFuel(), node], binaryen.auto)));
  }
  for (const edit of edits) edit();
  _extras.Function.setBody(
    fn.ref,
    module.block(null, [
      module.local.set(fuelLocal, module.global.get(fuel, binaryen.i64)),
      ...(entryCost === undefined ? [] : [charges.charge(entryCost)]),
      storeAround(fn.body),
    ], binaryen.auto),
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
function _fuelCachePlan(fn: _FunctionFacts, plan: _Plan): _FuelCachePlan | undefined {
  if (!fn.hasLoop || fn.hasIndirectCall) return undefined;
  for (const callee of fn.callees) {
    const mode = plan.modes.get(callee);
    if (mode?.kind !== "bounded" || mode.reachesHost) return undefined;
  }
  const cache: _FuelCachePlan = { valueReturns: [], voidReturns: [] };
  for (const { node, parent, value } of fn.returns) {
    if (value !== undefined) {
      cache.valueReturns.push({ node, value });
      continue;
    }
    const replace = _childReplacer(node, parent, fn.name);
    if (!replace) return undefined;
    cache.voidReturns.push({ node, replace });
  }
  return cache;
}

/**
 * How to put another expression where `child` stands, for the parents a
 * `return` has in practice (a loop body is left out: its charge goes there).
 */
function _childReplacer(
  child: binaryen.ExpressionRef,
  parent: binaryen.ExpressionRef,
  functionName: string,
): ((by: binaryen.ExpressionRef) => void) | undefined {
  if (parent === 0) return undefined; // a body that is just `return` has no loop to cache for
  const node = readExpression(parent, functionName);
  if (node.kind === "block") {
    // Looked up when applied: a charge may have been inserted before it by then.
    return (by) =>
      _extras.Block.setChildAt(
        parent,
        readExpression(parent, functionName).children.indexOf(child),
        by,
      );
  }
  if (node.kind === "if" && node.arms[0] === child) return (by) => _extras.If.setIfTrue(parent, by);
  if (node.kind === "if" && node.arms[1] === child) {
    return (by) => _extras.If.setIfFalse(parent, by);
  }
  return undefined;
}

interface _Charges {
  /** `fuel -= cost; if (fuel < 0) unreachable`, as one statement. */
  charge(cost: number): binaryen.ExpressionRef;
  /** `{ charge(cost); expr }`, typed as `expr` so it can stand where `expr` stood. */
  prepend(cost: number, expr: binaryen.ExpressionRef): binaryen.ExpressionRef;
}

/** Charges against the global `fuel`, or against `fuelLocal` when the function caches it. */
function _charges(module: binaryen.Module, fuel: string, fuelLocal: number | undefined): _Charges {
  const read = () =>
    fuelLocal === undefined
      ? module.global.get(fuel, binaryen.i64)
      : module.local.get(fuelLocal, binaryen.i64);
  const write = (value: binaryen.ExpressionRef) =>
    fuelLocal === undefined ? module.global.set(fuel, value) : module.local.set(fuelLocal, value);
  // The host tells "out of fuel" from other traps by a negative global.
  const trap = () =>
    fuelLocal === undefined ? module.unreachable() : module.block(null, [
      module.global.set(fuel, module.local.get(fuelLocal, binaryen.i64)),
      module.unreachable(),
    ], binaryen.unreachable);
  const charge = (cost: number) =>
    module.block(null, [
      write(module.i64.sub(read(), module.i64.const(BigInt(cost)))),
      module.if(module.i64.lt_s(read(), module.i64.const(0n)), trap()),
    ], binaryen.none);
  return {
    charge,
    prepend: (cost, expr) => module.block(null, [charge(cost), expr], binaryen.auto),
  };
}

function _freeGlobalName(module: binaryen.Module, wanted: string): string {
  let name = wanted;
  for (let suffix = 1; module.getGlobal(name) !== 0; suffix++) name = `${wanted}$${suffix}`;
  return name;
}

function _saturatingAdd(a: number, b: number): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}
