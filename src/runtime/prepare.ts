/**
 * Turns untrusted module bytes into a module Caxton can run: checked against
 * ABI v1, fuel-metered, memory capped. Loads binaryen (~380 ms, ~90 MB) and a
 * binaryen abort leaves it unusable, so run this in a disposable worker
 * (`prepare_worker.ts` behind `ModulePreparer`), not on the main thread.
 *
 * @module
 */
import binaryen from "binaryen";
import { ABI_V1_FEATURES, type AbiFeature } from "./abi_v1.ts";
import { binaryenErrorMessage } from "./binaryen_extras.ts";
import { injectFuelMetering } from "./fuel.ts";
import { checkInstanceLimits } from "./instance_limits.ts";
import { capMemoryMaximum } from "./memory_cap.ts";
import { checkModuleAbi, checkModuleBytes, ModuleRejectedError } from "./module_rules.ts";

/** Limits applied while preparing one module. */
export interface PrepareOptions {
  /** Most memory pages (64 KiB each) the agent may have; its declared maximum is lowered to this. */
  memoryCapPages: number;
  /** Fuel the start function and `caxton_init` may burn before the host sets a per-message budget. */
  initialFuel: bigint;
  /** Largest module accepted, in bytes; checked before any parsing. */
  maxModuleBytes: number;
}

/** A module ready to compile and instantiate, with what Caxton needs to know about it. */
export interface PreparedModule {
  /** The rewritten module: fuel-metered, memory capped, exporting `caxton_fuel`. */
  metered: Uint8Array;
  /** SHA-256 of the original bytes, lowercase hex: the cache key of the metered module. */
  hash: string;
  /** The module exports `caxton_init`. */
  hasInit: boolean;
  /** Initial memory, in pages. */
  memoryInitialPages: number;
  /** Memory maximum after capping, in pages. */
  memoryMaxPages: number;
  /** Size of the original module, in bytes. */
  sizeBytes: number;
}

/** binaryen's flags for each feature ABI v1 allows (the list lives in abi_v1.ts). */
const _BINARYEN_FEATURES: Record<AbiFeature, binaryen.Features> = {
  "mutable-globals": binaryen.Features.MutableGlobals,
  "sign-extension": binaryen.Features.SignExt,
  "non-trapping-float-to-int": binaryen.Features.NontrappingFPToInt,
  // binaryen splits bulk memory into the copy/fill pair and the segment ops
  "bulk-memory": binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt,
  "multi-value": binaryen.Features.Multivalue,
};
const _ABI_FEATURES = ABI_V1_FEATURES.reduce((all, f) => all | _BINARYEN_FEATURES[f], 0);

/** binaryen.js reads with explicit features, though its typings omit the argument. */
const _readBinary = binaryen.readBinary as unknown as (
  bytes: Uint8Array,
  features: binaryen.Features,
) => binaryen.Module;

/**
 * Checks `bytes` against ABI v1 and the limits, then meters and caps it.
 *
 * @throws {ModuleRejectedError} when the module breaks a rule; the message
 *   names what was found and what to change.
 *
 * @example
 * ```ts ignore
 * const prepared = await prepareModule(bytes, {
 *   memoryCapPages: 256,
 *   initialFuel: 10_000_000n,
 *   maxModuleBytes: 8 * 1024 * 1024,
 * });
 * const module = new WebAssembly.Module(prepared.metered);
 * ```
 */
export async function prepareModule(
  bytes: Uint8Array,
  options: PrepareOptions,
): Promise<PreparedModule> {
  checkModuleBytes(bytes, options);
  const hash = await _sha256Hex(bytes);
  try {
    return { ..._rewrite(bytes, options), hash, sizeBytes: bytes.byteLength };
  } catch (error) {
    // Deep nesting or long call chains exhaust the stack in metering's walks or
    // inside binaryen: refuse the module rather than crash on it.
    if (!(error instanceof RangeError)) throw error;
    throw new ModuleRejectedError(
      "module_too_complex",
      `Cannot deploy module: its code nests or chains calls too deeply for Caxton to meter ` +
        `(${error.message}); flatten deeply nested code`,
      { cause: error },
    );
  }
}

function _rewrite(
  bytes: Uint8Array,
  options: PrepareOptions,
): Omit<PreparedModule, "hash" | "sizeBytes"> {
  // Names survive only with debug info on; they make traps readable.
  binaryen.setDebugInfo(true);
  let module: binaryen.Module;
  try {
    module = _readBinary(bytes, _ABI_FEATURES);
  } catch (thrown) {
    if (thrown instanceof Error) throw thrown; // not binaryen refusing the module
    throw new ModuleRejectedError(
      "unsupported_feature",
      `Cannot deploy module: Caxton cannot read it (${binaryenErrorMessage(thrown)}); ` +
        `build it for ABI v1 features only`,
    );
  }
  try {
    const facts = checkModuleAbi(module, options);
    // Tables, element segments and globals take their share of the memory cap first.
    const { hostPages } = checkInstanceLimits(module);
    const memoryCapPages = options.memoryCapPages - hostPages;
    if (facts.memoryInitialPages > memoryCapPages) {
      throw new ModuleRejectedError(
        "memory_too_large",
        `Cannot deploy module: its memory starts at ${facts.memoryInitialPages} pages and its ` +
          `tables and globals take ${hostPages} pages, over the memory cap of ` +
          `${options.memoryCapPages} pages (memoryPages); shrink them or raise the agent's ` +
          `memory limit`,
      );
    }
    const memoryMaxPages = Math.min(
      facts.memoryDeclaredMaxPages ?? memoryCapPages,
      memoryCapPages,
    );
    injectFuelMetering(module, { initialFuel: options.initialFuel });
    capMemoryMaximum(module, {
      memoryName: facts.memoryName,
      initialPages: facts.memoryInitialPages,
      maxPages: memoryMaxPages,
    });
    const metered = module.emitBinary();
    if (!WebAssembly.validate(metered as Uint8Array<ArrayBuffer>)) {
      // A bug in metering, not in the module: surface it, never run the output.
      throw new Error(
        "Cannot prepare module: the metered module does not validate; report this as a Caxton bug",
      );
    }
    return {
      metered,
      hasInit: facts.hasInit,
      memoryInitialPages: facts.memoryInitialPages,
      memoryMaxPages,
    };
  } finally {
    module.dispose();
  }
}

async function _sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
