/**
 * The surface of Agent ABI v1 (docs/ABI.md) as data, with no dependency: the
 * deploy checks (module_rules.ts, prepare.ts, expression_reader.ts) and the
 * toolchain that builds agents (src/toolchain/) read the same lists, so what
 * a build accepts is exactly what a deploy accepts.
 *
 * @module
 */

/** The module every ABI v1 host import comes from. */
export const ABI_V1_MODULE = "caxton";

/** A function signature by WebAssembly value type names (`i32`, `i64`, …). */
export interface AbiSignature {
  readonly params: readonly string[];
  readonly results: readonly string[];
}

/** The host functions of ABI v1, all from module {@linkcode ABI_V1_MODULE}. */
export const ABI_V1_IMPORTS: ReadonlyMap<string, AbiSignature> = new Map([
  ["send", { params: ["i32", "i32"], results: ["i32"] }],
  ["log", { params: ["i32", "i32", "i32"], results: [] }],
  ["state_get", { params: ["i32", "i32", "i32", "i32"], results: ["i32"] }],
  ["state_set", { params: ["i32", "i32", "i32", "i32"], results: ["i32"] }],
  ["state_delete", { params: ["i32", "i32"], results: ["i32"] }],
  ["now_ms", { params: [], results: ["i64"] }],
  ["register_capability", { params: ["i32", "i32"], results: ["i32"] }],
  // Durable timers (docs/TIMERS.md): additive, a module that does not import them is unchanged.
  ["set_timer", { params: ["i64", "i32", "i32"], results: ["i64"] }],
  ["cancel_timer", { params: ["i64"], results: ["i32"] }],
]);

/** The functions an ABI v1 module exports (besides its `memory`); `caxton_init` is optional. */
export const ABI_V1_EXPORTS: ReadonlyMap<string, AbiSignature & { readonly required: boolean }> =
  new Map([
    ["caxton_abi_v1", { params: [], results: [], required: true }],
    ["caxton_alloc", { params: ["i32"], results: ["i32"], required: true }],
    ["caxton_handle", { params: ["i32", "i32"], results: ["i32"], required: true }],
    ["caxton_init", { params: [], results: ["i32"], required: false }],
  ]);

/**
 * The WebAssembly features ABI v1 allows beyond the MVP — the one list.
 * Non-trapping float-to-int is in: compilers emit it by default and fuel
 * metering reads its instructions like any other conversion. Everything else
 * (threads, SIMD, exceptions, tail calls, reference types, GC, memory64) is out,
 * because metering cannot bound it or the host does not support it.
 */
export const ABI_V1_FEATURES = [
  "mutable-globals",
  "sign-extension",
  "non-trapping-float-to-int",
  "bulk-memory",
  "multi-value",
] as const;

/** One feature of {@linkcode ABI_V1_FEATURES}. */
export type AbiFeature = typeof ABI_V1_FEATURES[number];

const _LABELS: Readonly<Record<AbiFeature, string>> = {
  "mutable-globals": "mutable globals",
  "sign-extension": "sign-extension",
  "non-trapping-float-to-int": "non-trapping float-to-int",
  "bulk-memory": "bulk memory",
  "multi-value": "multi-value",
};

/** The allowed features as a sentence fragment for error messages and docs. */
export function describeAbiFeatures(): string {
  return `MVP, ${ABI_V1_FEATURES.map((f) => _LABELS[f]).join(", ")}`;
}
