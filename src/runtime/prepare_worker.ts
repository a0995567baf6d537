/**
 * Worker entry that prepares modules (see `prepare.ts`), so binaryen's load
 * cost and memory stay off the main thread and an abort inside binaryen,
 * which leaves it unusable, takes down only this worker. `ModulePreparer` is
 * the host side.
 *
 * @module
 */
import { binaryenErrorMessage } from "./binaryen_extras.ts";
import { ModuleRejectedError } from "./module_rules.ts";
import { type PreparedModule, prepareModule, type PrepareOptions } from "./prepare.ts";

/** Host → worker: prepare `bytes`; the reply carries the same `id`. */
export interface PrepareRequest {
  kind: "prepare";
  id: number;
  bytes: Uint8Array;
  options: PrepareOptions;
}

/**
 * Worker → host. `rejected`: the module broke a rule. `crashed`: binaryen
 * aborted or something unexpected failed; the host must replace the worker.
 */
export type PrepareReply =
  | { kind: "ready" }
  | { kind: "prepared"; id: number; result: PreparedModule }
  | { kind: "rejected"; id: number; code: string; message: string }
  | { kind: "crashed"; id: number; message: string };

interface _WorkerScope {
  onmessage: ((event: MessageEvent<PrepareRequest>) => void) | null;
  postMessage(message: PrepareReply, transfer?: Transferable[]): void;
}
const _scope = globalThis as unknown as _WorkerScope;

_scope.onmessage = async ({ data: request }) => {
  if (request?.kind !== "prepare") return;
  const { id } = request;
  try {
    const result = await prepareModule(request.bytes, request.options);
    // Move the metered bytes instead of copying them; copy first if binaryen
    // handed out a view into a larger buffer.
    const metered = result.metered.byteLength === result.metered.buffer.byteLength
      ? result.metered as Uint8Array<ArrayBuffer> // binaryen.js copies its output to a fresh ArrayBuffer
      : new Uint8Array(result.metered);
    _scope.postMessage({ kind: "prepared", id, result: { ...result, metered } }, [metered.buffer]);
  } catch (error) {
    if (error instanceof ModuleRejectedError) {
      _scope.postMessage({ kind: "rejected", id, code: error.code, message: error.message });
    } else {
      _scope.postMessage({ kind: "crashed", id, message: binaryenErrorMessage(error) });
    }
  }
};

// binaryen finishes loading through a top-level await; a message that arrives
// before this module has evaluated is lost, so tell the host when to start.
_scope.postMessage({ kind: "ready" });
