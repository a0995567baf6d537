/**
 * Host side of module preparation: one warm, permission-less worker that
 * checks and meters modules (`prepare_worker.ts`), replaced after it crashes.
 *
 * @module
 */
import { isModuleRejectionCode, ModuleRejectedError } from "./module_rules.ts";
import type { PreparedModule, PrepareOptions } from "./prepare.ts";
import type { PrepareReply, PrepareRequest } from "./prepare_worker.ts";

/**
 * Preparing a module failed for a reason other than the module breaking a
 * rule: binaryen aborted, the worker died, or the preparer was closed. The
 * module may be fine; the deploy can be retried.
 */
export class ModulePreparerError extends Error {
  override name = "ModulePreparerError";
}

interface _Pending {
  id: number;
  resolve: (result: PreparedModule) => void;
  reject: (error: Error) => void;
}

/**
 * Prepares modules one at a time in a worker that is started on first use and
 * kept warm (loading binaryen takes ~380 ms). One request at a time, so a
 * module that crashes binaryen costs only its own request: the worker is
 * terminated and the next request gets a fresh one.
 *
 * The worker runs with `deno: { permissions: "none" }`, which needs
 * `--unstable-worker-options` on the command line.
 *
 * @example
 * ```ts ignore
 * await using preparer = new ModulePreparer();
 * const prepared = await preparer.prepare(bytes, {
 *   memoryCapPages: 256,
 *   initialFuel: 10_000_000n,
 *   maxModuleBytes: 8 * 1024 * 1024,
 * });
 * ```
 */
export class ModulePreparer implements AsyncDisposable {
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #pending: _Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #prepared = 0;
  #closing = false;

  /**
   * Checks `bytes` against ABI v1 and the limits, then meters and caps it.
   *
   * @throws {ModuleRejectedError} the module breaks a rule.
   * @throws {ModulePreparerError} the worker crashed or the preparer is closed.
   */
  prepare(bytes: Uint8Array, options: PrepareOptions): Promise<PreparedModule> {
    if (this.#closing) {
      return Promise.reject(
        new ModulePreparerError("Cannot prepare module: the preparer is closed"),
      );
    }
    const result = this.#queue.then(() => this.#send(bytes, options));
    this.#queue = result.catch(() => {});
    return result;
  }

  /** How many modules this preparer has metered: a cache hit elsewhere never reaches it. */
  get prepared(): number {
    return this.#prepared;
  }

  /** Waits for queued requests, then stops the worker. Idempotent. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#queue;
    if (this.#worker) this.#discard(this.#worker);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #send(bytes: Uint8Array, options: PrepareOptions): Promise<PreparedModule> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    const reply = new Promise<PreparedModule>((resolve, reject) => {
      this.#pending = { id, resolve, reject };
    });
    await Promise.race([this.#ready, reply]);
    const request: PrepareRequest = { kind: "prepare", id, bytes, options };
    worker.postMessage(request);
    return await reply;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./prepare_worker.ts", import.meta.url), {
      type: "module",
      // binaryen loads fine without permissions: module loading is not gated by them.
      deno: { permissions: "none" },
    });
    let ready!: () => void;
    this.#ready = new Promise((resolve) => ready = resolve);
    worker.onmessage = (event: MessageEvent<PrepareReply>) => {
      if (event.data.kind === "ready") ready();
      else this.#onReply(worker, event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault(); // handled here; do not take the host down
      this.#fail(worker, `the preparing worker failed: ${event.message}`);
    };
    worker.onmessageerror = () =>
      this.#fail(worker, "the preparing worker sent an unreadable reply");
    this.#worker = worker;
    return worker;
  }

  #onReply(worker: Worker, reply: Exclude<PrepareReply, { kind: "ready" }>): void {
    const pending = this.#pending;
    if (!pending || reply.id !== pending.id) return;
    this.#pending = undefined;
    switch (reply.kind) {
      case "prepared":
        this.#prepared++;
        pending.resolve(reply.result);
        break;
      case "rejected":
        // The stack overflowed, maybe inside binaryen, which may be left broken.
        if (reply.code === "module_too_complex") this.#discard(worker);
        pending.reject(
          isModuleRejectionCode(reply.code)
            ? new ModuleRejectedError(reply.code, reply.message)
            : new ModulePreparerError(
              `Cannot prepare module: unknown rejection "${reply.code}": ${reply.message}`,
            ),
        );
        break;
      case "crashed":
        this.#fail(worker, reply.message, pending);
        break;
    }
  }

  /** A crashed worker is never reused: binaryen may be left unusable. */
  #fail(worker: Worker, reason: string, pending = this.#pending): void {
    this.#discard(worker);
    this.#pending = undefined;
    pending?.reject(
      new ModulePreparerError(
        `Cannot prepare module: ${reason}; retry, and report it if it repeats`,
      ),
    );
  }

  #discard(worker: Worker): void {
    worker.terminate();
    if (this.#worker === worker) this.#worker = undefined;
  }
}
