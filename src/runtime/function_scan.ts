/**
 * Scanning for fuel metering: what each function calls, whether it loops,
 * what escapes. Each body is read here once, so that planning and
 * instrumenting walk arrays instead of asking binaryen again.
 *
 * @module
 */
import binaryen from "binaryen";
import { ExpressionKind, type ExpressionTarget, readExpression } from "./expression_reader.ts";

/**
 * A function body read once into flat arrays, so that planning, measuring
 * and instrumenting never ask binaryen about an expression again. Nodes are
 * numbered in reading order, a parent before its children, so one pass from
 * the last node to the first sees every child before its parent.
 */
export interface ExpressionTree {
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

/** What metering needs to know about one function defined in the module. */
export interface FunctionFacts {
  name: string;
  ref: binaryen.FunctionRef;
  body: binaryen.ExpressionRef;
  results: binaryen.Type;
  tree: ExpressionTree;
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

/**
 * Scans every function the module defines (host imports are left out),
 * keyed by name.
 *
 * @throws {ModuleRejectedError} `unsupported_instruction` from
 *   {@linkcode readExpression}.
 */
export function scanFunctions(module: binaryen.Module): Map<string, FunctionFacts> {
  const functions = new Map<string, FunctionFacts>();
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const ref = module.getFunctionByIndex(index);
    const info = binaryen.getFunctionInfo(ref);
    if (info.module) continue; // a host import: bounded by the ABI
    functions.set(info.name, _scanFunction(ref, info));
  }
  return functions;
}

/** Reads every expression of one function once, depth-first, last child first. */
function _scanFunction(ref: binaryen.FunctionRef, info: binaryen.FunctionInfo): FunctionFacts {
  const tree: ExpressionTree = {
    refs: [],
    kinds: [],
    first: [],
    counts: [],
    kids: [],
    callees: new Map(),
  };
  const facts: FunctionFacts = {
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
export function childNode(tree: ExpressionTree, node: number, index: number): number {
  return tree.kids[tree.first[node]! + index]!;
}

/** Functions entered other than by a direct call: exports, start, tables, `ref.func`. */
export function escapingFunctions(
  module: binaryen.Module,
  functions: Map<string, FunctionFacts>,
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
