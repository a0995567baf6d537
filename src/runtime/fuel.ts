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
  ExpressionKind,
  type ExpressionTarget,
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
  const build = _builder(module, fuel);
  for (const fn of functions.values()) _instrumentFunction(build, fn, plan);
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
  _BinaryenBlockGetNumChildren(block: binaryen.ExpressionRef): number;
  _BinaryenBlockGetChildAt(block: binaryen.ExpressionRef, index: number): binaryen.ExpressionRef;
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

type _ExprRef = binaryen.ExpressionRef;

/** binaryen.js's raw C API exports that metering builds with (see {@linkcode _builder}). */
interface _RawBuilding {
  _BinaryenGlobalGetName(global: binaryen.GlobalRef): number;
  _BinaryenGlobalGet(module: number, name: number, type: binaryen.Type): _ExprRef;
  _BinaryenGlobalSet(module: number, name: number, value: _ExprRef): _ExprRef;
  _BinaryenLocalGet(module: number, index: number, type: binaryen.Type): _ExprRef;
  _BinaryenLocalSet(module: number, index: number, value: _ExprRef): _ExprRef;
  _BinaryenLocalTee(module: number, index: number, value: _ExprRef, type: binaryen.Type): _ExprRef;
  _BinaryenExpressionCopy(expr: _ExprRef, module: number): _ExprRef;
  _BinaryenConstSetValueI64(expr: _ExprRef, value: bigint): void;
  _BinaryenBinary(
    module: number,
    op: binaryen.Operations,
    left: _ExprRef,
    right: _ExprRef,
  ): _ExprRef;
  _BinaryenIf(module: number, condition: _ExprRef, ifTrue: _ExprRef, ifFalse: _ExprRef): _ExprRef;
  _BinaryenUnreachable(module: number): _ExprRef;
  _BinaryenBlock(
    module: number,
    name: number,
    children: number,
    count: number,
    type: binaryen.Type,
  ): _ExprRef;
  _BinaryenBlockAppendChild(block: _ExprRef, child: _ExprRef): number;
  _BinaryenBlockInsertChildAt(block: _ExprRef, index: number, child: _ExprRef): void;
  _BinaryenExpressionFinalize(expr: _ExprRef): void;
}
const _raw = binaryen as unknown as _RawBuilding;

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

/**
 * A function body read once into flat arrays, so that planning, measuring
 * and instrumenting never ask binaryen about an expression again. Nodes are
 * numbered in reading order, a parent before its children, so one pass from
 * the last node to the first sees every child before its parent.
 */
interface _Tree {
  refs: binaryen.ExpressionRef[];
  kinds: ExpressionKind[];
  /** Index into `kids` of each node's first child. */
  first: number[];
  /** How many children each node has. */
  counts: number[];
  /** Child nodes, each node's together and in order. */
  kids: number[];
  /** The callee of each `call` node. */
  callees: Map<number, string>;
}

interface _FunctionFacts {
  name: string;
  ref: binaryen.FunctionRef;
  body: binaryen.ExpressionRef;
  results: binaryen.Type;
  tree: _Tree;
  callees: Set<string>;
  /** Functions it takes a reference to (`ref.func`): those escape. */
  referenced: Set<string>;
  /** Its `loop` nodes. */
  loops: number[];
  /** Every `return` node, with its parent node (-1 for none), in case fuel is cached in a local. */
  returns: { node: number; parent: number }[];
  hasLoop: boolean;
  hasIndirectCall: boolean;
}

const _K = ExpressionKind;

function _scanFunctions(module: binaryen.Module): Map<string, _FunctionFacts> {
  const functions = new Map<string, _FunctionFacts>();
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const ref = module.getFunctionByIndex(index);
    const info = binaryen.getFunctionInfo(ref);
    if (info.module) continue; // a host import: bounded by the ABI
    functions.set(info.name, _scanFunction(ref, info));
  }
  return functions;
}

/** Reads every expression of one function once, depth-first, last child first. */
function _scanFunction(ref: binaryen.FunctionRef, info: binaryen.FunctionInfo): _FunctionFacts {
  const tree: _Tree = { refs: [], kinds: [], first: [], counts: [], kids: [], callees: new Map() };
  const facts: _FunctionFacts = {
    name: info.name,
    ref,
    body: info.body,
    results: info.results,
    tree,
    callees: new Set(),
    referenced: new Set(),
    loops: [],
    returns: [],
    hasLoop: false,
    hasIndirectCall: false,
  };
  const { refs, kinds, first, counts, kids } = tree;
  const children: binaryen.ExpressionRef[] = [];
  const named: ExpressionTarget = { target: "" };
  // Iterative: compilers nest a block per `switch` case, so depth can reach
  // thousands, past what JS recursion survives. Each pending expression has
  // its parent node and its slot in `kids`.
  const pendingRefs: binaryen.ExpressionRef[] = [info.body];
  const pendingParents: number[] = [-1];
  const pendingSlots: number[] = [-1];
  for (let expr = pendingRefs.pop(); expr !== undefined; expr = pendingRefs.pop()) {
    const parent = pendingParents.pop()!;
    const slot = pendingSlots.pop()!;
    const node = refs.length;
    if (slot >= 0) kids[slot] = node;
    children.length = 0;
    const kind = readExpression(expr, info.name, children, named);
    refs.push(expr);
    kinds.push(kind);
    first.push(kids.length);
    counts.push(children.length);
    for (const child of children) {
      pendingRefs.push(child);
      pendingParents.push(node);
      pendingSlots.push(kids.length);
      kids.push(-1);
    }
    if (kind === _K.loop) facts.loops.push(node);
    else if (kind === _K.call) {
      tree.callees.set(node, named.target);
      facts.callees.add(named.target);
    } else if (kind === _K.callIndirect) facts.hasIndirectCall = true;
    else if (kind === _K.refFunc) facts.referenced.add(named.target);
    else if (kind === _K.return) facts.returns.push({ node, parent });
  }
  facts.hasLoop = facts.loops.length > 0;
  return facts;
}

/** The `index`th child of `node`. */
function _kid(tree: _Tree, node: number, index: number): number {
  return tree.kids[tree.first[node]! + index]!;
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
    const cost = bounded ? _measure(fn.tree, plan).cost[0]! : Infinity;
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
      : _placeLazyCharges(fn.tree, _measure(fn.tree, plan), 0, undefined);
    plan.modes.set(
      fn.name,
      prefixCost === undefined ? { kind: "entry" } : { kind: "lazy", prefixCost },
    );
  }
  return plan;
}

/** What {@linkcode _measure} found, per node of a tree. */
interface _Measures {
  /**
   * Expressions in the region rooted at the node, plus what bounded and lazy
   * callees charge their call sites. A loop body is a region of its own, so a
   * nested loop counts as one expression.
   */
  cost: Float64Array;
  /** 1 when the region calls code that charges fuel itself. */
  callsCharging: Uint8Array;
}

/** Scratch space of {@linkcode _measure}, grown as needed: one function is measured at a time. */
let _scratch: _Measures = { cost: new Float64Array(1024), callsCharging: new Uint8Array(1024) };

/**
 * Measures the region rooted at every node of `tree`, children before
 * parents. The result is only valid until the next call.
 */
function _measure(tree: _Tree, plan: _Plan): _Measures {
  const { kinds, first, counts, kids, callees } = tree;
  const size = kinds.length;
  if (_scratch.cost.length < size) {
    _scratch = { cost: new Float64Array(size * 2), callsCharging: new Uint8Array(size * 2) };
  }
  const { cost: costs, callsCharging } = _scratch;
  for (let node = size - 1; node >= 0; node--) {
    const kind = kinds[node]!;
    let cost = 1;
    let charging = kind === _K.callIndirect;
    if (kind === _K.call) {
      const callee = callees.get(node)!;
      const mode = plan.modes.get(callee);
      if (mode?.kind === "bounded") {
        cost += mode.cost;
      } else if (plan.defined.has(callee)) {
        // While planning, a callee not planned yet counts 0: then only the
        // cost of code that calls nothing self-charging is used.
        if (mode?.kind === "lazy") cost += mode.prefixCost;
        charging = true;
      }
    }
    if (kind !== _K.loop) {
      for (let index = first[node]!, end = index + counts[node]!; index < end; index++) {
        const child = kids[index]!;
        cost = _saturatingAdd(cost, costs[child]!);
        charging ||= callsCharging[child] === 1;
      }
    }
    costs[node] = cost;
    callsCharging[node] = charging ? 1 : 0;
  }
  return _scratch;
}

type _Edit = () => void;

/**
 * Places charges inside `node`, part of a lazy function's entry region, so
 * that every call to self-charging code is preceded by a charge covering it;
 * returns the cost of what stays uncharged, which each call site pays. Returns
 * `undefined` when no placement inside `node` works and all of it must be
 * charged before it. Without `edits` it only plans.
 */
function _placeLazyCharges(
  tree: _Tree,
  measures: _Measures,
  node: number,
  edits: { list: _Edit[]; charges: _Charges } | undefined,
  depth = 0,
): number | undefined {
  if (measures.callsCharging[node] === 0) return measures.cost[node]!;
  // Deeper than this, charge here rather than recurse on: still correct, only less lazy.
  if (depth >= _MAX_LAZY_DEPTH) return undefined;
  const kind = tree.kinds[node];
  const start = tree.first[node]!;
  const count = tree.counts[node]!;
  if (kind === _K.block) {
    // Statements before the first that calls stay uncharged; a charge right
    // before that one covers it and all after it, since a branch can leave a
    // block but never jump into its middle.
    let uncharged = 1;
    for (let index = 0; index < count; index++) {
      const inner = _placeLazyCharges(tree, measures, tree.kids[start + index]!, edits, depth + 1);
      if (inner !== undefined) {
        uncharged = _saturatingAdd(uncharged, inner);
        continue;
      }
      if (edits) {
        let rest = 0;
        for (let later = index; later < count; later++) {
          rest = _saturatingAdd(rest, measures.cost[tree.kids[start + later]!]!);
        }
        const block = tree.refs[node]!;
        edits.list.push(() => edits.charges.insert(block, index, rest));
      }
      return uncharged;
    }
    return uncharged;
  }
  const condition = tree.kids[start]!;
  if (kind === _K.if && measures.callsCharging[condition] === 0) {
    // The condition and arms that call nothing stay uncharged; an arm that
    // calls is charged at its start.
    let uncharged = _saturatingAdd(1, measures.cost[condition]!);
    for (let index = 1; index < count; index++) {
      const arm = tree.kids[start + index]!;
      const inner = _placeLazyCharges(tree, measures, arm, edits, depth + 1);
      if (inner !== undefined) {
        uncharged = _saturatingAdd(uncharged, inner);
      } else if (edits) {
        const cost = measures.cost[arm]!;
        const setArm = index === 1 ? _extras.If.setIfTrue : _extras.If.setIfFalse;
        const iff = tree.refs[node]!;
        const armRef = tree.refs[arm]!;
        const armIsBlock = tree.kinds[arm] === _K.block;
        edits.list.push(() => setArm(iff, edits.charges.prepend(cost, armRef, armIsBlock)));
      }
    }
    return uncharged;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Instrumenting.

function _instrumentFunction(build: _Builder, fn: _FunctionFacts, plan: _Plan): void {
  const mode = plan.modes.get(fn.name) ?? { kind: "entry" };
  if (mode.kind === "bounded") return; // its callers pay
  const tree = fn.tree;
  const cache = _fuelCachePlan(fn, plan);
  const fuelLocal = cache ? _extras._BinaryenFunctionAddVar(fn.ref, binaryen.i64) : undefined;
  const charges = _charges(build, fuelLocal);
  const measures = _measure(tree, plan);

  // Everything is measured before anything is edited: an inserted charge must not count.
  const edits: _Edit[] = [];
  const entryCost = mode.kind === "entry" ? measures.cost[0]! : undefined;
  if (mode.kind === "lazy") {
    _placeLazyCharges(tree, measures, 0, { list: edits, charges });
  }
  for (const loop of fn.loops) {
    const body = _kid(tree, loop, 0);
    const cost = measures.cost[body]!;
    const loopRef = tree.refs[loop]!;
    const bodyRef = tree.refs[body]!;
    const bodyIsBlock = tree.kinds[body] === _K.block;
    edits.push(() => {
      const charged = charges.prepend(cost, bodyRef, bodyIsBlock);
      if (charged !== bodyRef) _extras.Loop.setBody(loopRef, charged);
    });
  }

  if (!cache || fuelLocal === undefined) {
    for (const edit of edits) edit();
    if (entryCost !== undefined) {
      const charged = charges.prepend(entryCost, fn.body, tree.kinds[0] === _K.block);
      if (charged !== fn.body) _extras.Function.setBody(fn.ref, charged);
    }
    return;
  }

  // Fuel lives in a local while the function runs: load it first, store it back on every return.
  const resultLocal = fn.results === binaryen.none
    ? undefined
    : _extras._BinaryenFunctionAddVar(fn.ref, fn.results);
  const storeFuel = () => build.globalSet(build.localGet(fuelLocal, binaryen.i64));
  /** Statements that run `value`, store the fuel, then give `value`'s result. */
  const storeAround = (value: binaryen.ExpressionRef): binaryen.ExpressionRef[] =>
    resultLocal === undefined ? [value, storeFuel()] : [
      build.localSet(resultLocal, value),
      storeFuel(),
      build.localGet(resultLocal, fn.results),
    ];
  for (const { node, value } of cache.valueReturns) {
    edits.push(() => _extras.Return.setValue(node, build.block(storeAround(value))));
  }
  for (const { node, replace } of cache.voidReturns) {
    edits.push(() => replace(build.block([storeFuel(), node])));
  }
  for (const edit of edits) edit();
  _extras.Function.setBody(
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
function _fuelCachePlan(fn: _FunctionFacts, plan: _Plan): _FuelCachePlan | undefined {
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
      cache.valueReturns.push({ node: ref, value: tree.refs[_kid(tree, node, 0)]! });
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
  tree: _Tree,
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
      const count = _extras._BinaryenBlockGetNumChildren(parentRef);
      for (let index = 0; index < count; index++) {
        if (_extras._BinaryenBlockGetChildAt(parentRef, index) === childRef) {
          _extras.Block.setChildAt(parentRef, index, by);
          return;
        }
      }
    };
  }
  if (kind === _K.if && tree.counts[parent]! > 1 && _kid(tree, parent, 1) === child) {
    return (by) => _extras.If.setIfTrue(parentRef, by);
  }
  if (kind === _K.if && tree.counts[parent]! > 2 && _kid(tree, parent, 2) === child) {
    return (by) => _extras.If.setIfFalse(parentRef, by);
  }
  return undefined;
}

interface _Charges {
  /** `fuel -= cost; if (fuel < 0) trap`, as statements. */
  statements(cost: number): binaryen.ExpressionRef[];
  /** Inserts a charge of `cost` into `block` before its child `index`. */
  insert(block: binaryen.ExpressionRef, index: number, cost: number): void;
  /**
   * A charge of `cost`, then `expr`, to stand where `expr` stood: a block gets
   * the charge as its first statements (and is returned as is), anything else
   * is wrapped in a new block typed as `expr`.
   */
  prepend(cost: number, expr: binaryen.ExpressionRef, isBlock: boolean): binaryen.ExpressionRef;
}

/**
 * Charges against the fuel global, or against `fuelLocal` when the function
 * caches it. No wrapping blocks: each costs binaryen a node to build and to
 * write out, and deploy time goes mostly to binaryen.
 */
function _charges(build: _Builder, fuelLocal: number | undefined): _Charges {
  const i64 = binaryen.i64;
  const statements = fuelLocal === undefined
    ? (cost: number) => [
      build.globalSet(build.sub(build.globalGet(), build.i64(cost))),
      build.if(build.ltS(build.globalGet(), build.i64(0)), build.unreachable()),
    ]
    // The host tells "out of fuel" from other traps by a negative global.
    : (cost: number) => [
      build.if(
        build.ltS(
          build.localTee(
            fuelLocal,
            build.sub(build.localGet(fuelLocal, i64), build.i64(cost)),
            i64,
          ),
          build.i64(0),
        ),
        build.block(
          [build.globalSet(build.localGet(fuelLocal, i64)), build.unreachable()],
          binaryen.unreachable,
        ),
      ),
    ];
  const insert = (block: binaryen.ExpressionRef, index: number, cost: number) => {
    const added = statements(cost);
    for (let offset = 0; offset < added.length; offset++) {
      _raw._BinaryenBlockInsertChildAt(block, index + offset, added[offset]!);
    }
  };
  return {
    statements,
    insert,
    prepend: (cost, expr, isBlock) => {
      if (!isBlock) return build.block([...statements(cost), expr]);
      insert(expr, 0, cost);
      return expr;
    },
  };
}

/** The expressions metering adds, built on one module against one fuel global. */
interface _Builder {
  globalGet(): binaryen.ExpressionRef;
  globalSet(value: binaryen.ExpressionRef): binaryen.ExpressionRef;
  localGet(index: number, type: binaryen.Type): binaryen.ExpressionRef;
  localSet(index: number, value: binaryen.ExpressionRef): binaryen.ExpressionRef;
  localTee(
    index: number,
    value: binaryen.ExpressionRef,
    type: binaryen.Type,
  ): binaryen.ExpressionRef;
  /** `i64.const value`. */
  i64(value: number): binaryen.ExpressionRef;
  /** `i64.sub`. */
  sub(left: binaryen.ExpressionRef, right: binaryen.ExpressionRef): binaryen.ExpressionRef;
  /** `i64.lt_s`. */
  ltS(left: binaryen.ExpressionRef, right: binaryen.ExpressionRef): binaryen.ExpressionRef;
  if(condition: binaryen.ExpressionRef, then: binaryen.ExpressionRef): binaryen.ExpressionRef;
  unreachable(): binaryen.ExpressionRef;
  /** An unnamed block, typed `type` or, by default, as its contents. */
  block(children: binaryen.ExpressionRef[], type?: binaryen.Type): binaryen.ExpressionRef;
}

/**
 * Builds through binaryen's C API rather than `binaryen.Module`'s methods,
 * which copy every name and child list onto binaryen's stack first: the fuel
 * global is named by binaryen's own interned string, a constant is a copy of
 * a template with its value set, and a block gets its children one by one.
 * Metering builds tens of thousands of expressions for a 100 KB module.
 */
function _builder(module: binaryen.Module, fuel: string): _Builder {
  const r = _raw;
  const ptr = (module as unknown as { ptr: number }).ptr;
  const name = r._BinaryenGlobalGetName(module.getGlobal(fuel));
  const template = module.i64.const(0n);
  const i64 = binaryen.i64;
  const auto = binaryen.auto;
  const sub = binaryen.SubInt64;
  const ltS = binaryen.LtSInt64;
  return {
    globalGet: () => r._BinaryenGlobalGet(ptr, name, i64),
    globalSet: (value) => r._BinaryenGlobalSet(ptr, name, value),
    localGet: (index, type) => r._BinaryenLocalGet(ptr, index, type),
    localSet: (index, value) => r._BinaryenLocalSet(ptr, index, value),
    localTee: (index, value, type) => r._BinaryenLocalTee(ptr, index, value, type),
    i64: (value) => {
      const constant = r._BinaryenExpressionCopy(template, ptr);
      if (value !== 0) r._BinaryenConstSetValueI64(constant, BigInt(value));
      return constant;
    },
    sub: (left, right) => r._BinaryenBinary(ptr, sub, left, right),
    ltS: (left, right) => r._BinaryenBinary(ptr, ltS, left, right),
    if: (condition, then) => r._BinaryenIf(ptr, condition, then, 0),
    unreachable: () => r._BinaryenUnreachable(ptr),
    block: (children, type = auto) => {
      const block = r._BinaryenBlock(ptr, 0, 0, 0, type);
      for (const child of children) r._BinaryenBlockAppendChild(block, child);
      // Typed now that it has its children, as binaryen.Module#block would.
      if (type === auto) r._BinaryenExpressionFinalize(block);
      return block;
    },
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
