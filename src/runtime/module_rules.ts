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

/** Every reason a module can be refused at deploy time. */
export const MODULE_REJECTION_CODES = [
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

/** Value types by their WebAssembly text names (`i32`, `v128`, …). */
interface _Signature {
  readonly params: readonly string[];
  readonly results: readonly string[];
}

/** The host functions of ABI v1 (docs/ABI.md), all from module `caxton`. */
const _ABI_IMPORTS: ReadonlyMap<string, _Signature> = new Map([
  ["send", { params: ["i32", "i32"], results: ["i32"] }],
  ["log", { params: ["i32", "i32", "i32"], results: [] }],
  ["state_get", { params: ["i32", "i32", "i32", "i32"], results: ["i32"] }],
  ["state_set", { params: ["i32", "i32", "i32", "i32"], results: ["i32"] }],
  ["state_delete", { params: ["i32", "i32"], results: ["i32"] }],
  ["now_ms", { params: [], results: ["i64"] }],
  ["register_capability", { params: ["i32", "i32"], results: ["i32"] }],
]);

/** The functions an ABI v1 module exports; `caxton_init` is optional. */
const _ABI_EXPORTS: ReadonlyMap<string, _Signature & { readonly required: boolean }> = new Map([
  ["caxton_abi_v1", { params: [], results: [], required: true }],
  ["caxton_alloc", { params: ["i32"], results: ["i32"], required: true }],
  ["caxton_handle", { params: ["i32", "i32"], results: ["i32"], required: true }],
  ["caxton_init", { params: [], results: ["i32"], required: false }],
]);

const _ABI_MODULE = "caxton";
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

// ---------------------------------------------------------------------------
// Instructions: the only expression kinds an ABI v1 module may contain.

/**
 * An expression's kind as metering sees it: control flow and calls are told
 * apart, everything else is `plain`.
 */
export const ExpressionKind = {
  plain: 0,
  block: 1,
  /** Children: the condition, then the arms (`if` arm, `else` arm if any). */
  if: 2,
  /** Child: the body. */
  loop: 3,
  /** `target` holds the callee. */
  call: 4,
  callIndirect: 5,
  /** `target` holds the referenced function. */
  refFunc: 6,
  /** Child: the value, if any. */
  return: 7,
} as const;

/** One of the values of {@linkcode ExpressionKind}. */
export type ExpressionKind = typeof ExpressionKind[keyof typeof ExpressionKind];

/** Where {@linkcode readExpression} puts the function a `call` or `ref.func` names. */
export interface ExpressionTarget {
  target: string;
}

type _Ref = binaryen.ExpressionRef;

/**
 * binaryen.js's raw C API exports, which its bundled typings leave out
 * (present in binaryen 132). Called directly: metering reads every
 * expression, and the wrapped accessors only add a layer.
 */
interface _Raw {
  _BinaryenExpressionGetId(expr: _Ref): number;
  _BinaryenExpressionGetType(expr: _Ref): binaryen.Type;
  _BinaryenBlockGetNumChildren(expr: _Ref): number;
  _BinaryenBlockGetChildAt(expr: _Ref, index: number): _Ref;
  _BinaryenIfGetCondition(expr: _Ref): _Ref;
  _BinaryenIfGetIfTrue(expr: _Ref): _Ref;
  _BinaryenIfGetIfFalse(expr: _Ref): _Ref;
  _BinaryenLoopGetBody(expr: _Ref): _Ref;
  _BinaryenBreakGetValue(expr: _Ref): _Ref;
  _BinaryenBreakGetCondition(expr: _Ref): _Ref;
  _BinaryenSwitchGetValue(expr: _Ref): _Ref;
  _BinaryenSwitchGetCondition(expr: _Ref): _Ref;
  _BinaryenCallIsReturn(expr: _Ref): number;
  _BinaryenCallGetNumOperands(expr: _Ref): number;
  _BinaryenCallGetOperandAt(expr: _Ref, index: number): _Ref;
  _BinaryenCallIndirectIsReturn(expr: _Ref): number;
  _BinaryenCallIndirectGetNumOperands(expr: _Ref): number;
  _BinaryenCallIndirectGetOperandAt(expr: _Ref, index: number): _Ref;
  _BinaryenCallIndirectGetTarget(expr: _Ref): _Ref;
  _BinaryenLocalSetGetValue(expr: _Ref): _Ref;
  _BinaryenGlobalSetGetValue(expr: _Ref): _Ref;
  _BinaryenLoadIsAtomic(expr: _Ref): number;
  _BinaryenLoadGetPtr(expr: _Ref): _Ref;
  _BinaryenStoreIsAtomic(expr: _Ref): number;
  _BinaryenStoreGetPtr(expr: _Ref): _Ref;
  _BinaryenStoreGetValue(expr: _Ref): _Ref;
  _BinaryenUnaryGetValue(expr: _Ref): _Ref;
  _BinaryenBinaryGetLeft(expr: _Ref): _Ref;
  _BinaryenBinaryGetRight(expr: _Ref): _Ref;
  _BinaryenSelectGetIfTrue(expr: _Ref): _Ref;
  _BinaryenSelectGetIfFalse(expr: _Ref): _Ref;
  _BinaryenSelectGetCondition(expr: _Ref): _Ref;
  _BinaryenDropGetValue(expr: _Ref): _Ref;
  _BinaryenReturnGetValue(expr: _Ref): _Ref;
  _BinaryenMemoryGrowGetDelta(expr: _Ref): _Ref;
  _BinaryenMemoryCopyGetDest(expr: _Ref): _Ref;
  _BinaryenMemoryCopyGetSource(expr: _Ref): _Ref;
  _BinaryenMemoryCopyGetSize(expr: _Ref): _Ref;
  _BinaryenMemoryFillGetDest(expr: _Ref): _Ref;
  _BinaryenMemoryFillGetValue(expr: _Ref): _Ref;
  _BinaryenMemoryFillGetSize(expr: _Ref): _Ref;
  _BinaryenMemoryInitGetDest(expr: _Ref): _Ref;
  _BinaryenMemoryInitGetOffset(expr: _Ref): _Ref;
  _BinaryenMemoryInitGetSize(expr: _Ref): _Ref;
  _BinaryenTupleMakeGetNumOperands(expr: _Ref): number;
  _BinaryenTupleMakeGetOperandAt(expr: _Ref, index: number): _Ref;
  _BinaryenTupleExtractGetTuple(expr: _Ref): _Ref;
  _BinaryenRefIsNullGetValue(expr: _Ref): _Ref;
}
const _raw = binaryen as unknown as _Raw;
// Looked up once: binaryen.js's module object has thousands of properties, so
// V8 keeps it as a dictionary and every property read is a hash lookup.
const {
  _BinaryenExpressionGetId: _ExpressionGetId,
  _BinaryenExpressionGetType: _ExpressionGetType,
  _BinaryenBlockGetNumChildren: _BlockGetNumChildren,
  _BinaryenBlockGetChildAt: _BlockGetChildAt,
  _BinaryenIfGetCondition: _IfGetCondition,
  _BinaryenIfGetIfTrue: _IfGetIfTrue,
  _BinaryenIfGetIfFalse: _IfGetIfFalse,
  _BinaryenLoopGetBody: _LoopGetBody,
  _BinaryenBreakGetValue: _BreakGetValue,
  _BinaryenBreakGetCondition: _BreakGetCondition,
  _BinaryenSwitchGetValue: _SwitchGetValue,
  _BinaryenSwitchGetCondition: _SwitchGetCondition,
  _BinaryenCallIsReturn: _CallIsReturn,
  _BinaryenCallGetNumOperands: _CallGetNumOperands,
  _BinaryenCallGetOperandAt: _CallGetOperandAt,
  _BinaryenCallIndirectIsReturn: _CallIndirectIsReturn,
  _BinaryenCallIndirectGetNumOperands: _CallIndirectGetNumOperands,
  _BinaryenCallIndirectGetOperandAt: _CallIndirectGetOperandAt,
  _BinaryenCallIndirectGetTarget: _CallIndirectGetTarget,
  _BinaryenLocalSetGetValue: _LocalSetGetValue,
  _BinaryenGlobalSetGetValue: _GlobalSetGetValue,
  _BinaryenLoadIsAtomic: _LoadIsAtomic,
  _BinaryenLoadGetPtr: _LoadGetPtr,
  _BinaryenStoreIsAtomic: _StoreIsAtomic,
  _BinaryenStoreGetPtr: _StoreGetPtr,
  _BinaryenStoreGetValue: _StoreGetValue,
  _BinaryenUnaryGetValue: _UnaryGetValue,
  _BinaryenBinaryGetLeft: _BinaryGetLeft,
  _BinaryenBinaryGetRight: _BinaryGetRight,
  _BinaryenSelectGetIfTrue: _SelectGetIfTrue,
  _BinaryenSelectGetIfFalse: _SelectGetIfFalse,
  _BinaryenSelectGetCondition: _SelectGetCondition,
  _BinaryenDropGetValue: _DropGetValue,
  _BinaryenReturnGetValue: _ReturnGetValue,
  _BinaryenMemoryGrowGetDelta: _MemoryGrowGetDelta,
  _BinaryenMemoryCopyGetDest: _MemoryCopyGetDest,
  _BinaryenMemoryCopyGetSource: _MemoryCopyGetSource,
  _BinaryenMemoryCopyGetSize: _MemoryCopyGetSize,
  _BinaryenMemoryFillGetDest: _MemoryFillGetDest,
  _BinaryenMemoryFillGetValue: _MemoryFillGetValue,
  _BinaryenMemoryFillGetSize: _MemoryFillGetSize,
  _BinaryenMemoryInitGetDest: _MemoryInitGetDest,
  _BinaryenMemoryInitGetOffset: _MemoryInitGetOffset,
  _BinaryenMemoryInitGetSize: _MemoryInitGetSize,
  _BinaryenTupleMakeGetNumOperands: _TupleMakeGetNumOperands,
  _BinaryenTupleMakeGetOperandAt: _TupleMakeGetOperandAt,
  _BinaryenTupleExtractGetTuple: _TupleExtractGetTuple,
  _BinaryenRefIsNullGetValue: _RefIsNullGetValue,
} = _raw;

/** binaryen.js's expression accessors that return names, which its typings leave out. */
interface _NameAccessors {
  Call: { getTarget(expr: _Ref): string };
  RefFunc: { getFunc(expr: _Ref): string };
}
const _names = binaryen as unknown as _NameAccessors;
const _callTarget = _names.Call.getTarget;
const _refFuncTarget = _names.RefFunc.getFunc;

// Expression ids and types are fixed per binaryen build; read them once.
const _V128 = binaryen.v128;
const _ID = {
  Block: binaryen.BlockId,
  If: binaryen.IfId,
  Loop: binaryen.LoopId,
  Call: binaryen.CallId,
  CallIndirect: binaryen.CallIndirectId,
  RefFunc: binaryen.RefFuncId,
  Break: binaryen.BreakId,
  Switch: binaryen.SwitchId,
  LocalSet: binaryen.LocalSetId,
  GlobalSet: binaryen.GlobalSetId,
  Load: binaryen.LoadId,
  Store: binaryen.StoreId,
  Unary: binaryen.UnaryId,
  Binary: binaryen.BinaryId,
  Select: binaryen.SelectId,
  Drop: binaryen.DropId,
  Return: binaryen.ReturnId,
  MemoryGrow: binaryen.MemoryGrowId,
  MemoryCopy: binaryen.MemoryCopyId,
  MemoryFill: binaryen.MemoryFillId,
  MemoryInit: binaryen.MemoryInitId,
  TupleMake: binaryen.TupleMakeId,
  TupleExtract: binaryen.TupleExtractId,
  RefIsNull: binaryen.RefIsNullId,
  Const: binaryen.ConstId,
  LocalGet: binaryen.LocalGetId,
  GlobalGet: binaryen.GlobalGetId,
  MemorySize: binaryen.MemorySizeId,
  Nop: binaryen.NopId,
  Unreachable: binaryen.UnreachableId,
  DataDrop: binaryen.DataDropId,
  RefNull: binaryen.RefNullId,
} as const;

/**
 * Reads one expression of function `functionName`: returns its kind and
 * appends its sub-expressions, in order, to `children` (absent optional ones
 * left out); for a `call` or `ref.func`, sets `named.target`. Every kind that
 * MVP, sign-extension, non-trapping float-to-int, bulk memory and multi-value
 * produce is known; any other kind is refused, since metering could miss a
 * way it loops or calls. Allocates nothing per expression: metering reads
 * every expression of every function.
 *
 * @throws {ModuleRejectedError} `unsupported_instruction` for atomics, SIMD,
 *   exception handling, tail calls, table instructions, GC and anything newer.
 */
export function readExpression(
  expr: binaryen.ExpressionRef,
  functionName: string,
  children: binaryen.ExpressionRef[],
  named: ExpressionTarget,
): ExpressionKind {
  // Direct accessors: getExpressionInfo is ~10x slower (it calls every getter)
  // and has no case for kinds without fields (nop, unreachable, ref.null).
  const id = _ExpressionGetId(expr);
  if (_ExpressionGetType(expr) === _V128) _refuse(functionName, "SIMD");
  switch (id) {
    // Leaves first: they are most expressions.
    case _ID.Const:
    case _ID.LocalGet:
    case _ID.GlobalGet:
    case _ID.MemorySize:
    case _ID.Nop:
    case _ID.Unreachable:
    case _ID.DataDrop:
    case _ID.RefNull:
      return ExpressionKind.plain;
    case _ID.Block:
      for (let index = 0, count = _BlockGetNumChildren(expr); index < count; index++) {
        children.push(_BlockGetChildAt(expr, index));
      }
      return ExpressionKind.block;
    case _ID.If: {
      children.push(_IfGetCondition(expr));
      _pushPresent(children, _IfGetIfTrue(expr));
      _pushPresent(children, _IfGetIfFalse(expr));
      return ExpressionKind.if;
    }
    case _ID.Loop:
      children.push(_LoopGetBody(expr));
      return ExpressionKind.loop;
    case _ID.Call:
      if (_CallIsReturn(expr)) _refuse(functionName, "tail calls (return_call)");
      named.target = _callTarget(expr);
      for (let index = 0, count = _CallGetNumOperands(expr); index < count; index++) {
        children.push(_CallGetOperandAt(expr, index));
      }
      return ExpressionKind.call;
    case _ID.CallIndirect:
      if (_CallIndirectIsReturn(expr)) {
        _refuse(functionName, "tail calls (return_call_indirect)");
      }
      for (
        let index = 0, count = _CallIndirectGetNumOperands(expr);
        index < count;
        index++
      ) {
        children.push(_CallIndirectGetOperandAt(expr, index));
      }
      children.push(_CallIndirectGetTarget(expr));
      return ExpressionKind.callIndirect;
    case _ID.RefFunc:
      named.target = _refFuncTarget(expr);
      return ExpressionKind.refFunc;
    case _ID.Break:
      _pushPresent(children, _BreakGetValue(expr));
      _pushPresent(children, _BreakGetCondition(expr));
      return ExpressionKind.plain;
    case _ID.Switch:
      _pushPresent(children, _SwitchGetValue(expr));
      _pushPresent(children, _SwitchGetCondition(expr));
      return ExpressionKind.plain;
    case _ID.LocalSet:
      children.push(_LocalSetGetValue(expr));
      return ExpressionKind.plain;
    case _ID.GlobalSet:
      children.push(_GlobalSetGetValue(expr));
      return ExpressionKind.plain;
    case _ID.Load:
      if (_LoadIsAtomic(expr)) _refuse(functionName, "atomics");
      children.push(_LoadGetPtr(expr));
      return ExpressionKind.plain;
    case _ID.Store: {
      if (_StoreIsAtomic(expr)) _refuse(functionName, "atomics");
      const value = _StoreGetValue(expr);
      if (_ExpressionGetType(value) === _V128) _refuse(functionName, "SIMD");
      children.push(_StoreGetPtr(expr), value);
      return ExpressionKind.plain;
    }
    case _ID.Unary: {
      const value = _UnaryGetValue(expr);
      if (_ExpressionGetType(value) === _V128) _refuse(functionName, "SIMD");
      children.push(value);
      return ExpressionKind.plain;
    }
    case _ID.Binary: {
      const left = _BinaryGetLeft(expr);
      if (_ExpressionGetType(left) === _V128) _refuse(functionName, "SIMD");
      children.push(left, _BinaryGetRight(expr));
      return ExpressionKind.plain;
    }
    case _ID.Select:
      children.push(
        _SelectGetIfTrue(expr),
        _SelectGetIfFalse(expr),
        _SelectGetCondition(expr),
      );
      return ExpressionKind.plain;
    case _ID.Drop:
      children.push(_DropGetValue(expr));
      return ExpressionKind.plain;
    case _ID.Return:
      _pushPresent(children, _ReturnGetValue(expr));
      return ExpressionKind.return;
    case _ID.MemoryGrow:
      children.push(_MemoryGrowGetDelta(expr));
      return ExpressionKind.plain;
    case _ID.MemoryCopy:
      children.push(
        _MemoryCopyGetDest(expr),
        _MemoryCopyGetSource(expr),
        _MemoryCopyGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.MemoryFill:
      children.push(
        _MemoryFillGetDest(expr),
        _MemoryFillGetValue(expr),
        _MemoryFillGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.MemoryInit:
      children.push(
        _MemoryInitGetDest(expr),
        _MemoryInitGetOffset(expr),
        _MemoryInitGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.TupleMake:
      for (
        let index = 0, count = _TupleMakeGetNumOperands(expr);
        index < count;
        index++
      ) {
        children.push(_TupleMakeGetOperandAt(expr, index));
      }
      return ExpressionKind.plain;
    case _ID.TupleExtract:
      children.push(_TupleExtractGetTuple(expr));
      return ExpressionKind.plain;
    case _ID.RefIsNull:
      children.push(_RefIsNullGetValue(expr));
      return ExpressionKind.plain;
    default:
      return _refuse(functionName, _familyOf(id));
  }
}

function _pushPresent(children: _Ref[], ref: _Ref): void {
  if (ref !== 0) children.push(ref);
}

function _familyOf(id: binaryen.ExpressionIds): string {
  const families: [string, binaryen.ExpressionIds[]][] = [
    ["atomics", [
      binaryen.AtomicRMWId,
      binaryen.AtomicCmpxchgId,
      binaryen.AtomicWaitId,
      binaryen.AtomicNotifyId,
      binaryen.AtomicFenceId,
    ]],
    ["SIMD", [
      binaryen.SIMDExtractId,
      binaryen.SIMDReplaceId,
      binaryen.SIMDShuffleId,
      binaryen.SIMDTernaryId,
      binaryen.SIMDShiftId,
      binaryen.SIMDLoadId,
      binaryen.SIMDLoadStoreLaneId,
    ]],
    ["exception handling", [
      binaryen.TryId,
      binaryen.TryTableId,
      binaryen.ThrowId,
      binaryen.RethrowId,
      binaryen.ThrowRefId,
      binaryen.PopId,
    ]],
    ["table instructions", [
      binaryen.TableGetId,
      binaryen.TableSetId,
      binaryen.TableSizeId,
      binaryen.TableGrowId,
      binaryen.TableFillId,
      binaryen.TableCopyId,
      binaryen.TableInitId,
      binaryen.ElemDropId,
    ]],
  ];
  for (const [family, ids] of families) if (ids.includes(id)) return family;
  return `an instruction outside ABI v1 (binaryen expression id ${id})`;
}

function _refuse(functionName: string, what: string): never {
  throw new ModuleRejectedError(
    "unsupported_instruction",
    `${_DEPLOY}: function "${functionName}" uses ${what}, which Caxton cannot meter; ` +
      `build for ABI v1 features only (MVP, mutable globals, sign-extension, ` +
      `non-trapping float-to-int, bulk memory, multi-value)`,
  );
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
