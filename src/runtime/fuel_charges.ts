/**
 * Builds the expressions fuel metering adds — a charge is `fuel -= cost; if
 * (fuel < 0) fuel += refuel(fuel)` — straight through binaryen's C API,
 * because deploy time goes mostly to binaryen and metering builds tens of
 * thousands of them. `refuel` is a host import: it grants the next slice of
 * the budget, or throws when the budget is spent or the deadline has passed
 * (see `fuel_meter.ts`), so agent code stops by wall clock too.
 *
 * @module
 */
import binaryen from "binaryen";

type _ExprRef = binaryen.ExpressionRef;

/** binaryen.js's raw C API exports that metering builds with (see {@linkcode fuelBuilder}). */
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
  _BinaryenCallSetOperandAt(call: _ExprRef, index: number, operand: _ExprRef): void;
}
const _raw = binaryen as unknown as _RawBuilding;

/** Charges of a given cost, against the fuel global or a function's fuel local. */
export interface Charges {
  /** `fuel -= cost; if (fuel < 0) fuel += refuel(fuel)`, as statements. */
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
export function fuelCharges(build: FuelBuilder, fuelLocal: number | undefined): Charges {
  const i64 = binaryen.i64;
  // Out of this slice: ask the host for the next one. The call is the cold
  // path; the hot path stays a subtract and a compare.
  const statements = fuelLocal === undefined
    ? (cost: number) => [
      build.globalSet(build.sub(build.globalGet(), build.i64(cost))),
      build.if(
        build.ltS(build.globalGet(), build.i64(0)),
        build.globalSet(build.add(build.globalGet(), build.refuel(build.globalGet()))),
      ),
    ]
    // The local is the only copy while the function runs: refuel takes its value.
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
        build.localSet(
          fuelLocal,
          build.add(
            build.localGet(fuelLocal, i64),
            build.refuel(build.localGet(fuelLocal, i64)),
          ),
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
export interface FuelBuilder {
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
  /** `i64.add`. */
  add(left: binaryen.ExpressionRef, right: binaryen.ExpressionRef): binaryen.ExpressionRef;
  /** A call of the host's refuel import with the (negative) fuel left: the grant. */
  refuel(fuel: binaryen.ExpressionRef): binaryen.ExpressionRef;
  /** `i64.sub`. */
  sub(left: binaryen.ExpressionRef, right: binaryen.ExpressionRef): binaryen.ExpressionRef;
  /** `i64.lt_s`. */
  ltS(left: binaryen.ExpressionRef, right: binaryen.ExpressionRef): binaryen.ExpressionRef;
  if(condition: binaryen.ExpressionRef, then: binaryen.ExpressionRef): binaryen.ExpressionRef;
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
export function fuelBuilder(module: binaryen.Module, fuel: string, refuel: string): FuelBuilder {
  const r = _raw;
  const ptr = (module as unknown as { ptr: number }).ptr;
  const name = r._BinaryenGlobalGetName(module.getGlobal(fuel));
  const template = module.i64.const(0n);
  // A call is copied from a template and given its operand: binaryen.js's
  // own call() copies the name and operand list onto its stack each time.
  const callTemplate = module.call(refuel, [module.i64.const(0n)], binaryen.i64);
  const i64 = binaryen.i64;
  const auto = binaryen.auto;
  const sub = binaryen.SubInt64;
  const add = binaryen.AddInt64;
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
    add: (left, right) => r._BinaryenBinary(ptr, add, left, right),
    refuel: (value) => {
      const call = r._BinaryenExpressionCopy(callTemplate, ptr);
      r._BinaryenCallSetOperandAt(call, 0, value);
      return call;
    },
    sub: (left, right) => r._BinaryenBinary(ptr, sub, left, right),
    ltS: (left, right) => r._BinaryenBinary(ptr, ltS, left, right),
    if: (condition, then) => r._BinaryenIf(ptr, condition, then, 0),
    block: (children, type = auto) => {
      const block = r._BinaryenBlock(ptr, 0, 0, 0, type);
      for (const child of children) r._BinaryenBlockAppendChild(block, child);
      // Typed now that it has its children, as binaryen.Module#block would.
      if (type === auto) r._BinaryenExpressionFinalize(block);
      return block;
    },
  };
}
