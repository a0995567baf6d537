/**
 * Reads one binaryen expression at a time for fuel metering, and is where ABI
 * v1 decides which instructions a function may use: every expression is read
 * here before it is charged, so an instruction metering does not know is
 * refused rather than run unmetered. Reads through binaryen's raw C API,
 * allocating nothing per expression, because metering reads every expression
 * of every function.
 *
 * @module
 */
import binaryen from "binaryen";
import { describeAbiFeatures } from "./abi_v1.ts";
import { ModuleRejectedError } from "./module_rules.ts";

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
 * the MVP and the features of `ABI_V1_FEATURES` (abi_v1.ts) produce is known; any other kind is refused, since metering could miss a
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
    `Cannot deploy module: function "${functionName}" uses ${what}, which Caxton cannot meter; ` +
      `build for ABI v1 features only (${describeAbiFeatures()})`,
  );
}
