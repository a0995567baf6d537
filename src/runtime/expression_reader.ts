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
import {
  BinaryGetLeft,
  BinaryGetRight,
  BlockGetChildAt,
  BlockGetNumChildren,
  BreakGetCondition,
  BreakGetValue,
  CallGetNumOperands,
  CallGetOperandAt,
  CallIndirectGetNumOperands,
  CallIndirectGetOperandAt,
  CallIndirectGetTarget,
  CallIndirectIsReturn,
  CallIsReturn,
  callTarget,
  DropGetValue,
  ExpressionGetId,
  ExpressionGetType,
  GlobalSetGetValue,
  IfGetCondition,
  IfGetIfFalse,
  IfGetIfTrue,
  LoadGetPtr,
  LoadIsAtomic,
  LocalSetGetValue,
  LoopGetBody,
  MemoryCopyGetDest,
  MemoryCopyGetSize,
  MemoryCopyGetSource,
  MemoryFillGetDest,
  MemoryFillGetSize,
  MemoryFillGetValue,
  MemoryGrowGetDelta,
  MemoryInitGetDest,
  MemoryInitGetOffset,
  MemoryInitGetSize,
  refFuncTarget,
  RefIsNullGetValue,
  ReturnGetValue,
  SelectGetCondition,
  SelectGetIfFalse,
  SelectGetIfTrue,
  StoreGetPtr,
  StoreGetValue,
  StoreIsAtomic,
  SwitchGetCondition,
  SwitchGetValue,
  TupleExtractGetTuple,
  TupleMakeGetNumOperands,
  TupleMakeGetOperandAt,
  UnaryGetValue,
} from "./binaryen_raw.ts";

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
  const id = ExpressionGetId(expr);
  if (ExpressionGetType(expr) === _V128) _refuse(functionName, "SIMD");
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
      for (let index = 0, count = BlockGetNumChildren(expr); index < count; index++) {
        children.push(BlockGetChildAt(expr, index));
      }
      return ExpressionKind.block;
    case _ID.If: {
      children.push(IfGetCondition(expr));
      _pushPresent(children, IfGetIfTrue(expr));
      _pushPresent(children, IfGetIfFalse(expr));
      return ExpressionKind.if;
    }
    case _ID.Loop:
      children.push(LoopGetBody(expr));
      return ExpressionKind.loop;
    case _ID.Call:
      if (CallIsReturn(expr)) _refuse(functionName, "tail calls (return_call)");
      named.target = callTarget(expr);
      for (let index = 0, count = CallGetNumOperands(expr); index < count; index++) {
        children.push(CallGetOperandAt(expr, index));
      }
      return ExpressionKind.call;
    case _ID.CallIndirect:
      if (CallIndirectIsReturn(expr)) {
        _refuse(functionName, "tail calls (return_call_indirect)");
      }
      for (
        let index = 0, count = CallIndirectGetNumOperands(expr);
        index < count;
        index++
      ) {
        children.push(CallIndirectGetOperandAt(expr, index));
      }
      children.push(CallIndirectGetTarget(expr));
      return ExpressionKind.callIndirect;
    case _ID.RefFunc:
      named.target = refFuncTarget(expr);
      return ExpressionKind.refFunc;
    case _ID.Break:
      _pushPresent(children, BreakGetValue(expr));
      _pushPresent(children, BreakGetCondition(expr));
      return ExpressionKind.plain;
    case _ID.Switch:
      _pushPresent(children, SwitchGetValue(expr));
      _pushPresent(children, SwitchGetCondition(expr));
      return ExpressionKind.plain;
    case _ID.LocalSet:
      children.push(LocalSetGetValue(expr));
      return ExpressionKind.plain;
    case _ID.GlobalSet:
      children.push(GlobalSetGetValue(expr));
      return ExpressionKind.plain;
    case _ID.Load:
      if (LoadIsAtomic(expr)) _refuse(functionName, "atomics");
      children.push(LoadGetPtr(expr));
      return ExpressionKind.plain;
    case _ID.Store: {
      if (StoreIsAtomic(expr)) _refuse(functionName, "atomics");
      const value = StoreGetValue(expr);
      if (ExpressionGetType(value) === _V128) _refuse(functionName, "SIMD");
      children.push(StoreGetPtr(expr), value);
      return ExpressionKind.plain;
    }
    case _ID.Unary: {
      const value = UnaryGetValue(expr);
      if (ExpressionGetType(value) === _V128) _refuse(functionName, "SIMD");
      children.push(value);
      return ExpressionKind.plain;
    }
    case _ID.Binary: {
      const left = BinaryGetLeft(expr);
      if (ExpressionGetType(left) === _V128) _refuse(functionName, "SIMD");
      children.push(left, BinaryGetRight(expr));
      return ExpressionKind.plain;
    }
    case _ID.Select:
      children.push(
        SelectGetIfTrue(expr),
        SelectGetIfFalse(expr),
        SelectGetCondition(expr),
      );
      return ExpressionKind.plain;
    case _ID.Drop:
      children.push(DropGetValue(expr));
      return ExpressionKind.plain;
    case _ID.Return:
      _pushPresent(children, ReturnGetValue(expr));
      return ExpressionKind.return;
    case _ID.MemoryGrow:
      children.push(MemoryGrowGetDelta(expr));
      return ExpressionKind.plain;
    case _ID.MemoryCopy:
      children.push(
        MemoryCopyGetDest(expr),
        MemoryCopyGetSource(expr),
        MemoryCopyGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.MemoryFill:
      children.push(
        MemoryFillGetDest(expr),
        MemoryFillGetValue(expr),
        MemoryFillGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.MemoryInit:
      children.push(
        MemoryInitGetDest(expr),
        MemoryInitGetOffset(expr),
        MemoryInitGetSize(expr),
      );
      return ExpressionKind.plain;
    case _ID.TupleMake:
      for (
        let index = 0, count = TupleMakeGetNumOperands(expr);
        index < count;
        index++
      ) {
        children.push(TupleMakeGetOperandAt(expr, index));
      }
      return ExpressionKind.plain;
    case _ID.TupleExtract:
      children.push(TupleExtractGetTuple(expr));
      return ExpressionKind.plain;
    case _ID.RefIsNull:
      children.push(RefIsNullGetValue(expr));
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
