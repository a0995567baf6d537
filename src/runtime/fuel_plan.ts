/**
 * Charge planning for fuel metering: which functions are bounded (their call
 * sites pay), which charge lazily (before their calls) and which at entry,
 * and what each region costs. Kept apart from instrumenting so that every
 * cost is measured before anything is edited: an inserted charge must not
 * count. See `fuel.ts` for where charges go and why.
 *
 * @module
 */
import binaryen from "binaryen";
import { binaryenExtras } from "./binaryen_extras.ts";
import { ExpressionKind } from "./expression_reader.ts";
import type { Charges } from "./fuel_charges.ts";
import { escapingFunctions, type ExpressionTree, type FunctionFacts } from "./function_scan.ts";

const _K = ExpressionKind;

/** Above this cost a bounded function charges at its own entry, so call sites are not charged far more than runs. */
const _MAX_INLINED_COST = 512;

/** How deep charges are pushed into nested blocks and arms of a lazy function. */
const _MAX_LAZY_DEPTH = 64;

/** How a function pays for the code it runs before its first own charge. */
export type ChargeMode =
  /** No charges inside; each call site pays `cost`. */
  | { kind: "bounded"; cost: number; reachesHost: boolean }
  /** Charges placed before its calls; each call site pays `prefixCost`. */
  | { kind: "lazy"; prefixCost: number }
  /** Charges its whole entry region at entry. */
  | { kind: "entry" };

/** How every function of a module pays for its code, decided before any is instrumented. */
export interface ChargePlan {
  /** The mode of each function the module defines. */
  modes: Map<string, ChargeMode>;
  /** Functions defined in the module; anything else called is a host import. */
  defined: ReadonlySet<string>;
}

/**
 * Decides each function's {@linkcode ChargeMode}: bounded functions first,
 * callees before callers, then lazy where a function escapes no direct call
 * and its calls can be preceded by a charge, else entry.
 */
export function planCharges(
  module: binaryen.Module,
  functions: Map<string, FunctionFacts>,
): ChargePlan {
  const escaping = escapingFunctions(module, functions);
  const plan: ChargePlan = { modes: new Map(), defined: new Set(functions.keys()) };

  // Bounded functions, callees first. A function reaching one still being
  // visited is in a call cycle, so never bounded: remembering "unbounded"
  // answers is safe, and keeps shared callees from being explored again.
  const visiting = new Set<string>();
  const unbounded = new Set<string>();
  const classifyBounded = (fn: FunctionFacts): void => {
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
    const cost = bounded ? measureRegions(fn.tree, plan).cost[0]! : Infinity;
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
      : placeLazyCharges(fn.tree, measureRegions(fn.tree, plan), 0, undefined);
    plan.modes.set(
      fn.name,
      prefixCost === undefined ? { kind: "entry" } : { kind: "lazy", prefixCost },
    );
  }
  return plan;
}

/** What {@linkcode measureRegions} found, per node of a tree. */
export interface RegionMeasures {
  /**
   * Expressions in the region rooted at the node, plus what bounded and lazy
   * callees charge their call sites. A loop body is a region of its own, so a
   * nested loop counts as one expression.
   */
  cost: Float64Array;
  /** 1 when the region calls code that charges fuel itself. */
  callsCharging: Uint8Array;
}

/** Scratch space of {@linkcode measureRegions}, grown as needed: one function is measured at a time. */
let _scratch: RegionMeasures = {
  cost: new Float64Array(1024),
  callsCharging: new Uint8Array(1024),
};

/**
 * Measures the region rooted at every node of `tree`, children before
 * parents. The result is only valid until the next call.
 */
export function measureRegions(tree: ExpressionTree, plan: ChargePlan): RegionMeasures {
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

/** A change to the module, queued until everything is measured. */
export type Edit = () => void;

/**
 * Places charges inside `node`, part of a lazy function's entry region, so
 * that every call to self-charging code is preceded by a charge covering it;
 * returns the cost of what stays uncharged, which each call site pays. Returns
 * `undefined` when no placement inside `node` works and all of it must be
 * charged before it. Without `edits` it only plans.
 */
export function placeLazyCharges(
  tree: ExpressionTree,
  measures: RegionMeasures,
  node: number,
  edits: { list: Edit[]; charges: Charges } | undefined,
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
      const inner = placeLazyCharges(tree, measures, tree.kids[start + index]!, edits, depth + 1);
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
      const inner = placeLazyCharges(tree, measures, arm, edits, depth + 1);
      if (inner !== undefined) {
        uncharged = _saturatingAdd(uncharged, inner);
      } else if (edits) {
        const cost = measures.cost[arm]!;
        const setArm = index === 1 ? binaryenExtras.If.setIfTrue : binaryenExtras.If.setIfFalse;
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

function _saturatingAdd(a: number, b: number): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}
