/**
 * Why a run of agent code failed, in words for the sender and the log and as
 * a code for programs. Kept apart from the instance so the classification of
 * what a run can throw lives in one place.
 *
 * @module
 */
import { DeadlineExceededError, FuelExhaustedError } from "./fuel_meter.ts";
import type { RunFailureCode } from "./worker_protocol.ts";

/** A failed run: its code, its reason, and whether it counts as a trap towards Failed. */
export interface RunFailure {
  code: RunFailureCode;
  reason: string;
  trapped: boolean;
}

/** A failure the agent reported or caused without trapping (unless `trapped`). */
export function failedRun(code: RunFailureCode, reason: string, trapped = false): RunFailure {
  return { code, reason, trapped };
}

/**
 * Classifies what agent code threw: the deadline, the fuel budget, the stack
 * or a WebAssembly trap. Returns `undefined` for anything else (a link error,
 * a bug in Caxton), which the caller reports as it is.
 */
export function trapFailure(error: unknown): RunFailure | undefined {
  if (error instanceof DeadlineExceededError) return failedRun(error.code, error.message, true);
  if (error instanceof FuelExhaustedError) return failedRun(error.code, error.message, true);
  if (error instanceof RangeError) {
    return failedRun("handling_failed", `stack overflow (${error.message})`, true);
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return failedRun("handling_failed", `trap: ${error.message}`, true);
  }
  return undefined;
}
