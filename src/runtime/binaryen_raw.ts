/**
 * binaryen.js's raw C API accessors for reading expressions, bound once.
 * The expression reader calls them for every expression of every function
 * it meters, so they are looked up a single time here rather than through
 * binaryen's wrapped accessors.
 */
import binaryen from "binaryen";

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
export const {
  _BinaryenExpressionGetId: ExpressionGetId,
  _BinaryenExpressionGetType: ExpressionGetType,
  _BinaryenBlockGetNumChildren: BlockGetNumChildren,
  _BinaryenBlockGetChildAt: BlockGetChildAt,
  _BinaryenIfGetCondition: IfGetCondition,
  _BinaryenIfGetIfTrue: IfGetIfTrue,
  _BinaryenIfGetIfFalse: IfGetIfFalse,
  _BinaryenLoopGetBody: LoopGetBody,
  _BinaryenBreakGetValue: BreakGetValue,
  _BinaryenBreakGetCondition: BreakGetCondition,
  _BinaryenSwitchGetValue: SwitchGetValue,
  _BinaryenSwitchGetCondition: SwitchGetCondition,
  _BinaryenCallIsReturn: CallIsReturn,
  _BinaryenCallGetNumOperands: CallGetNumOperands,
  _BinaryenCallGetOperandAt: CallGetOperandAt,
  _BinaryenCallIndirectIsReturn: CallIndirectIsReturn,
  _BinaryenCallIndirectGetNumOperands: CallIndirectGetNumOperands,
  _BinaryenCallIndirectGetOperandAt: CallIndirectGetOperandAt,
  _BinaryenCallIndirectGetTarget: CallIndirectGetTarget,
  _BinaryenLocalSetGetValue: LocalSetGetValue,
  _BinaryenGlobalSetGetValue: GlobalSetGetValue,
  _BinaryenLoadIsAtomic: LoadIsAtomic,
  _BinaryenLoadGetPtr: LoadGetPtr,
  _BinaryenStoreIsAtomic: StoreIsAtomic,
  _BinaryenStoreGetPtr: StoreGetPtr,
  _BinaryenStoreGetValue: StoreGetValue,
  _BinaryenUnaryGetValue: UnaryGetValue,
  _BinaryenBinaryGetLeft: BinaryGetLeft,
  _BinaryenBinaryGetRight: BinaryGetRight,
  _BinaryenSelectGetIfTrue: SelectGetIfTrue,
  _BinaryenSelectGetIfFalse: SelectGetIfFalse,
  _BinaryenSelectGetCondition: SelectGetCondition,
  _BinaryenDropGetValue: DropGetValue,
  _BinaryenReturnGetValue: ReturnGetValue,
  _BinaryenMemoryGrowGetDelta: MemoryGrowGetDelta,
  _BinaryenMemoryCopyGetDest: MemoryCopyGetDest,
  _BinaryenMemoryCopyGetSource: MemoryCopyGetSource,
  _BinaryenMemoryCopyGetSize: MemoryCopyGetSize,
  _BinaryenMemoryFillGetDest: MemoryFillGetDest,
  _BinaryenMemoryFillGetValue: MemoryFillGetValue,
  _BinaryenMemoryFillGetSize: MemoryFillGetSize,
  _BinaryenMemoryInitGetDest: MemoryInitGetDest,
  _BinaryenMemoryInitGetOffset: MemoryInitGetOffset,
  _BinaryenMemoryInitGetSize: MemoryInitGetSize,
  _BinaryenTupleMakeGetNumOperands: TupleMakeGetNumOperands,
  _BinaryenTupleMakeGetOperandAt: TupleMakeGetOperandAt,
  _BinaryenTupleExtractGetTuple: TupleExtractGetTuple,
  _BinaryenRefIsNullGetValue: RefIsNullGetValue,
} = _raw;

/** binaryen.js's expression accessors that return names, which its typings leave out. */
interface _NameAccessors {
  Call: { getTarget(expr: _Ref): string };
  RefFunc: { getFunc(expr: _Ref): string };
}
const _names = binaryen as unknown as _NameAccessors;
export const callTarget = _names.Call.getTarget;
export const refFuncTarget = _names.RefFunc.getFunc;
