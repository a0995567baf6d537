/** WebAssembly text → binary with wabt (npm), allowing exactly the features of ABI v1. */
import type wabtInit from "wabt";
import { ABI_V1_FEATURES, type AbiFeature } from "../runtime/abi_v1.ts";
import { withProducers } from "../runtime/wasm_sections.ts";

type _Wabt = Awaited<ReturnType<typeof wabtInit>>;
type _WabtFeatures = NonNullable<Parameters<_Wabt["parseWat"]>[2]>;

/** wabt's name for each ABI v1 feature. */
const _WABT_NAMES: Record<AbiFeature, keyof _WabtFeatures> = {
  "mutable-globals": "mutable_globals",
  "sign-extension": "sign_extension",
  "non-trapping-float-to-int": "sat_float_to_int",
  "bulk-memory": "bulk_memory",
  "multi-value": "multi_value",
};

/** Every feature wabt knows (its typings' list), each off unless ABI v1 allows it. */
const _WABT_ALL: readonly (keyof _WabtFeatures)[] = [
  "exceptions",
  "mutable_globals",
  "sat_float_to_int",
  "sign_extension",
  "simd",
  "threads",
  "function_references",
  "multi_value",
  "tail_call",
  "bulk_memory",
  "reference_types",
  "annotations",
  "code_metadata",
  "gc",
  "memory64",
  "extended_const",
  "relaxed_simd",
];

/**
 * wabt features: ABI v1's on, every other off (wabt enables some by default,
 * e.g. saturating float-to-int and reference types), so a source that needs
 * more fails here, not at deploy.
 */
export const WABT_FEATURES: Readonly<_WabtFeatures> = Object.fromEntries(
  _WABT_ALL.map((name) => [name, ABI_V1_FEATURES.some((f) => _WABT_NAMES[f] === name)]),
);

let _wabt: Promise<_Wabt> | undefined;

/** Compiles WebAssembly text (`name` is for messages) to a validated binary. */
export async function compileWat(name: string, text: string): Promise<Uint8Array> {
  _wabt ??= import("wabt").then((m) => m.default());
  const module = (await _wabt).parseWat(name, text, { ...WABT_FEATURES });
  try {
    module.resolveNames();
    module.validate();
    // wabt writes no producers section; the deploy reads the language from it.
    return withProducers(module.toBinary({}).buffer, {
      language: [["wat", ""]],
      "processed-by": [["wabt", ""]],
    });
  } finally {
    module.destroy();
  }
}
