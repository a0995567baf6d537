/**
 * Static checks that an untrusted module is a Caxton ABI v1 agent, done at
 * deploy time so a bad module is refused with a reason before it ever runs.
 *
 * Two steps: {@linkcode checkModuleBytes} looks at the raw bytes (size first,
 * then V8's own validation, then the import/export surface V8 reports), and
 * only then may binaryen parse them; {@linkcode checkModuleAbi} checks what
 * only a parsed module tells: signatures and memory limits. Which
 * instructions a function may use is decided by {@linkcode readExpression},
 * as fuel metering reads each one.
 *
 * @module
 */
import binaryen from "binaryen";
import { ABI_V1_EXPORTS, ABI_V1_IMPORTS, ABI_V1_MODULE, type AbiSignature } from "./abi_v1.ts";

/** Every reason a module can be refused at deploy time. */
const MODULE_REJECTION_CODES = [
  "module_too_large",
  "invalid_module",
  "forbidden_import",
  "imported_memory",
  "missing_export",
  "reserved_export",
  "bad_signature",
  "memory_too_large",
  "unsupported_feature",
  "unsupported_instruction",
  "module_too_complex",
  "table_too_large",
  "too_many_definitions",
] as const;

/** A machine-readable reason for refusing a module. */
export type ModuleRejectionCode = typeof MODULE_REJECTION_CODES[number];

/** Tells whether `code` is one of {@linkcode MODULE_REJECTION_CODES}. */
export function isModuleRejectionCode(code: string): code is ModuleRejectionCode {
  return (MODULE_REJECTION_CODES as readonly string[]).includes(code);
}

/**
 * A module broke a rule of ABI v1 or a deploy limit. The message says what
 * was found and what to change; `code` is for programs.
 *
 * @example
 * ```ts
 * import { ModuleRejectedError } from "./module_rules.ts";
 * const error = new ModuleRejectedError("invalid_module", "Cannot deploy module: …");
 * console.assert(error.code === "invalid_module");
 * ```
 */
export class ModuleRejectedError extends Error {
  override name = "ModuleRejectedError";
  /** Why the module was refused. */
  readonly code: ModuleRejectionCode;

  constructor(code: ModuleRejectionCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The name of the fuel global that metering adds; a module may not export it. */
export const FUEL_EXPORT = "caxton_fuel";

// The ABI's surface is data shared with the toolchain (src/toolchain/).
type _Signature = AbiSignature;
const _ABI_IMPORTS = ABI_V1_IMPORTS;
const _ABI_EXPORTS = ABI_V1_EXPORTS;
const _ABI_MODULE = ABI_V1_MODULE;
const _DEPLOY = "Cannot deploy module";
const _PAGE_BYTES = 65_536;

/** Options of {@linkcode checkModuleBytes}. */
export interface ModuleBytesLimits {
  /** Largest module accepted, in bytes. */
  maxModuleBytes: number;
}

/**
 * Checks what the raw bytes can tell without binaryen: size (before any
 * parsing), validity by V8 (so binaryen never sees garbage, on which it may
 * abort), the imports (only ABI v1 host functions from `caxton`), the export
 * names and kinds, and that the module defines exactly one memory.
 *
 * @throws {ModuleRejectedError} when a rule is broken.
 */
export function checkModuleBytes(bytes: Uint8Array, limits: ModuleBytesLimits): void {
  if (bytes.byteLength > limits.maxModuleBytes) {
    throw new ModuleRejectedError(
      "module_too_large",
      `${_DEPLOY}: it is ${bytes.byteLength} bytes, over the limit of ${limits.maxModuleBytes} bytes; ` +
        `shrink it (build for size, strip debug sections) or raise the module size limit`,
    );
  }
  // The DOM typings want an ArrayBuffer-backed view; V8 takes any. V8
  // compiles lazily, so this validates and lists imports and exports without
  // compiling function bodies; one call instead of validate() then compile.
  let compiled: WebAssembly.Module;
  try {
    compiled = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    if (!(error instanceof WebAssembly.CompileError)) throw error;
    throw new ModuleRejectedError(
      "invalid_module",
      `${_DEPLOY}: it is not valid WebAssembly (${error.message}); ` +
        `build it for wasm32 against ABI v1 (docs/ABI.md)`,
    );
  }
  _checkImportSurface(WebAssembly.Module.imports(compiled));
  _checkExportSurface(WebAssembly.Module.exports(compiled));
  const memories = _countDefinedMemories(bytes);
  if (memories !== 1) {
    throw new ModuleRejectedError(
      "unsupported_feature",
      `${_DEPLOY}: it defines ${memories} memories, but ABI v1 allows exactly one; ` +
        `build without multi-memory`,
    );
  }
}

/** What {@linkcode checkModuleAbi} learned about a module that passed. */
export interface ModuleAbiFacts {
  /** The module exports the optional `caxton_init`. */
  hasInit: boolean;
  /** binaryen's internal name of the exported memory. */
  memoryName: string;
  /** Initial size of the memory, in 64 KiB pages. */
  memoryInitialPages: number;
  /** The maximum the module declares, if any, in pages. */
  memoryDeclaredMaxPages: number | undefined;
}

/** Options of {@linkcode checkModuleAbi}. */
export interface ModuleAbiLimits {
  /** Most memory pages an agent may have. */
  memoryCapPages: number;
}

/**
 * Checks a module that passed {@linkcode checkModuleBytes} and was parsed by
 * binaryen: the signature of every import and ABI export, and the memory
 * (32-bit, unshared, initial size within the cap).
 *
 * @throws {ModuleRejectedError} when a rule is broken.
 */
export function checkModuleAbi(module: binaryen.Module, limits: ModuleAbiLimits): ModuleAbiFacts {
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const fn = binaryen.getFunctionInfo(module.getFunctionByIndex(index));
    // binaryen reports "" (not null) for a defined function.
    if (!fn.module || fn.base === null) continue;
    const expected = _ABI_IMPORTS.get(fn.base);
    if (expected === undefined) continue; // the surface check refused it already
    const actual = _signatureOf(fn);
    if (!_sameSignature(actual, expected)) {
      throw new ModuleRejectedError(
        "bad_signature",
        `${_DEPLOY}: it imports "${fn.module}.${fn.base}" as ${_formatSignature(actual)}, ` +
          `but ABI v1 defines it as ${_formatSignature(expected)}; fix the import's declaration`,
      );
    }
  }

  for (const [name, expected] of _ABI_EXPORTS) {
    const ref = module.getExport(name);
    if (!ref) continue; // a missing required export was refused by the surface check
    const exported = binaryen.getExportInfo(ref);
    const actual = _signatureOf(binaryen.getFunctionInfo(module.getFunction(exported.value)));
    if (!_sameSignature(actual, expected)) {
      throw new ModuleRejectedError(
        "bad_signature",
        `${_DEPLOY}: it exports "${name}" as ${_formatSignature(actual)}, ` +
          `but ABI v1 requires ${_formatSignature(expected)}; fix the function's signature`,
      );
    }
  }

  const memoryName = binaryen.getExportInfo(module.getExport("memory")).value;
  const memory = module.getMemoryInfo(memoryName);
  if (memory.is64 || memory.shared) {
    throw new ModuleRejectedError(
      "unsupported_feature",
      `${_DEPLOY}: its memory is ${memory.is64 ? "64-bit" : "shared"}, ` +
        `but ABI v1 needs an unshared 32-bit memory; build without memory64 and threads`,
    );
  }
  if (memory.initial > limits.memoryCapPages) {
    throw new ModuleRejectedError(
      "memory_too_large",
      `${_DEPLOY}: its memory starts at ${memory.initial} pages ` +
        `(${_mib(memory.initial)} MiB), over the cap of ${limits.memoryCapPages} pages ` +
        `(${
          _mib(limits.memoryCapPages)
        } MiB); lower the initial memory or raise the agent's memory limit`,
    );
  }
  return {
    hasInit: module.getExport("caxton_init") !== 0,
    memoryName,
    memoryInitialPages: memory.initial,
    memoryDeclaredMaxPages: memory.max,
  };
}

function _checkImportSurface(imports: WebAssembly.ModuleImportDescriptor[]): void {
  for (const { module, name, kind } of imports) {
    const qualified = `${module}.${name}`;
    if (kind === "memory") {
      throw new ModuleRejectedError(
        "imported_memory",
        `${_DEPLOY}: it imports its memory "${qualified}", but ABI v1 requires the module ` +
          `to define and export its own; link without --import-memory`,
      );
    }
    if (kind !== "function") {
      throw new ModuleRejectedError(
        "forbidden_import",
        `${_DEPLOY}: it imports the ${kind} "${qualified}", but ABI v1 lets a module import ` +
          `only functions from "${_ABI_MODULE}"; define the ${kind} in the module instead`,
      );
    }
    if (module !== _ABI_MODULE || !_ABI_IMPORTS.has(name)) {
      throw new ModuleRejectedError(
        "forbidden_import",
        `${_DEPLOY}: it imports "${qualified}", which ABI v1 does not provide; ` +
          `remove the import or use the "${_ABI_MODULE}" functions (${
            [..._ABI_IMPORTS.keys()].join(", ")
          })`,
      );
    }
  }
}

function _checkExportSurface(exports: WebAssembly.ModuleExportDescriptor[]): void {
  const kinds = new Map(exports.map(({ name, kind }) => [name, kind]));
  if (kinds.has(FUEL_EXPORT)) {
    throw new ModuleRejectedError(
      "reserved_export",
      `${_DEPLOY}: it exports "${FUEL_EXPORT}", a name Caxton reserves for fuel metering; ` +
        `rename or remove that export`,
    );
  }
  const memoryKind = kinds.get("memory");
  if (memoryKind !== "memory") {
    throw new ModuleRejectedError(
      "missing_export",
      `${_DEPLOY}: it does not export a memory named "memory"` +
        (memoryKind ? ` (it exports a ${memoryKind} by that name)` : "") +
        `, which ABI v1 requires; export the module's memory as "memory"`,
    );
  }
  for (const [name, expected] of _ABI_EXPORTS) {
    const kind = kinds.get(name);
    if (kind === undefined && !expected.required) continue;
    if (kind !== "function") {
      throw new ModuleRejectedError(
        "missing_export",
        `${_DEPLOY}: it does not export the function "${name}"` +
          (kind ? ` (it exports a ${kind} by that name)` : "") +
          `, which ABI v1 requires; export ${name}${_formatSignature(expected)}`,
      );
    }
  }
}

/**
 * Counts memories defined in the memory section (id 5). binaryen.js can
 * neither count memories nor look one up without knowing its name, and V8
 * reports only exported ones; the bytes were validated by V8 already, so
 * walking section headers is safe.
 */
function _countDefinedMemories(bytes: Uint8Array): number {
  let offset = 8; // magic + version
  const readUleb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++] ?? 0;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (offset < bytes.byteLength) {
    const id = bytes[offset++];
    const size = readUleb();
    if (id === 5) return readUleb();
    offset += size;
  }
  return 0;
}

function _signatureOf(fn: binaryen.FunctionInfo): _Signature {
  return { params: _valueTypes(fn.params), results: _valueTypes(fn.results) };
}

function _valueTypes(type: binaryen.Type): string[] {
  const names = new Map<binaryen.Type, string>([
    [binaryen.i32, "i32"],
    [binaryen.i64, "i64"],
    [binaryen.f32, "f32"],
    [binaryen.f64, "f64"],
    [binaryen.v128, "v128"],
    [binaryen.funcref, "funcref"],
    [binaryen.externref, "externref"],
  ]);
  return binaryen.expandType(type).map((part) => names.get(part) ?? "ref");
}

function _sameSignature(a: _Signature, b: _Signature): boolean {
  const same = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((type, index) => type === y[index]);
  return same(a.params, b.params) && same(a.results, b.results);
}

function _formatSignature({ params, results }: _Signature): string {
  const resultText = results.length === 0
    ? "()"
    : results.length === 1
    ? results[0]
    : `(${results.join(", ")})`;
  return `(${params.join(", ")}) -> ${resultText}`;
}

function _mib(pages: number): string {
  return String((pages * _PAGE_BYTES) / 1_048_576);
}
