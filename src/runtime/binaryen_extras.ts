/**
 * The parts of binaryen.js that its bundled typings leave out (present in
 * binaryen 132), typed once for the files that edit a module in place, and
 * the reading of what binaryen.js throws, which is not an `Error`.
 *
 * @module
 */
import binaryen from "binaryen";

/** binaryen.js API its bundled typings leave out: editing expressions in place, reading its exceptions. */
export interface BinaryenExtras {
  getExceptionMessage(thrown: unknown): [string, string | undefined];
  _BinaryenFunctionAddVar(fn: binaryen.FunctionRef, type: binaryen.Type): number;
  _BinaryenBlockGetNumChildren(block: binaryen.ExpressionRef): number;
  _BinaryenBlockGetChildAt(block: binaryen.ExpressionRef, index: number): binaryen.ExpressionRef;
  Function: { setBody(fn: binaryen.FunctionRef, body: binaryen.ExpressionRef): void };
  Loop: { setBody(loop: binaryen.ExpressionRef, body: binaryen.ExpressionRef): void };
  Return: { setValue(node: binaryen.ExpressionRef, value: binaryen.ExpressionRef): void };
  If: {
    setIfTrue(node: binaryen.ExpressionRef, arm: binaryen.ExpressionRef): void;
    setIfFalse(node: binaryen.ExpressionRef, arm: binaryen.ExpressionRef): void;
  };
  Block: {
    setChildAt(block: binaryen.ExpressionRef, index: number, child: binaryen.ExpressionRef): void;
  };
}

/** binaryen.js, typed with the extras metering uses. */
export const binaryenExtras = binaryen as unknown as BinaryenExtras;

/**
 * Turns what binaryen.js throws (a plain object wrapping a C++ exception)
 * into text.
 */
export function binaryenErrorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  try {
    return binaryenExtras.getExceptionMessage(thrown)[1] ?? String(thrown);
  } catch {
    return String(thrown);
  }
}
