/**
 * The message log's writer worker, from the routing thread's side: batches
 * are posted to a worker with its own connection to the data file, so SQLite
 * never runs inside a routing slice; each batch's promise settles when the
 * worker has committed it. Handled marks that must land with agent state
 * stay on the store's connection (`commitHandled`).
 */
import type { LogBatch } from "./log_records.ts";
import type { LogSink } from "./group_commit.ts";
import type { MessageLog } from "./message_log.ts";
import { packRecords } from "./log_writes.ts";

/** Main thread → writer. */
export type WriterRequest =
  | { kind: "open"; path: string }
  | { kind: "write"; seq: number; packed: string; rest: Omit<LogBatch, "records"> }
  | { kind: "close" };

/** Writer → main thread. */
export type WriterReply =
  | { kind: "opened" }
  | { kind: "written"; seq: number }
  | { kind: "failed"; seq: number; message: string }
  | { kind: "closed" };

/** Raised when the writer worker cannot open the log's database. */
export class LogWriterOpenError extends Error {
  readonly code = "log_writer_open_failed";
  constructor(readonly path: string, message: string) {
    super(`Cannot start the message log writer on "${path}": ${message}`);
    this.name = "LogWriterOpenError";
  }
}

/** A {@linkcode LogSink} that writes in its own worker thread. */
export class LogWriterWorker implements LogSink, AsyncDisposable {
  readonly background = true;
  readonly #worker: Worker;
  readonly #log: Pick<MessageLog, "lastId" | "commitHandled" | "openDeliveries">;
  readonly #pending = new Map<number, PromiseWithResolvers<void>>();
  #seq = 0;
  #closed: PromiseWithResolvers<void> | undefined;

  private constructor(
    worker: Worker,
    log: Pick<MessageLog, "lastId" | "commitHandled" | "openDeliveries">,
  ) {
    this.#worker = worker;
    this.#log = log;
  }

  /** Starts the writer on the database at `path`, whose log `log` reads. */
  static async open(
    path: string,
    log: Pick<MessageLog, "lastId" | "commitHandled" | "openDeliveries">,
  ): Promise<LogWriterWorker> {
    const worker = new Worker(new URL("./log_writer_worker.ts", import.meta.url), {
      type: "module",
    });
    const opened = Promise.withResolvers<void>();
    worker.onmessage = (e: MessageEvent<WriterReply>) => {
      if (e.data.kind === "opened") opened.resolve();
      else if (e.data.kind === "failed") {
        opened.reject(new LogWriterOpenError(path, e.data.message));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      opened.reject(new LogWriterOpenError(path, e.message));
    };
    worker.postMessage({ kind: "open", path } satisfies WriterRequest);
    try {
      await opened.promise;
    } catch (error) {
      worker.terminate();
      throw error;
    }
    const writer = new LogWriterWorker(worker, log);
    worker.onmessage = (e: MessageEvent<WriterReply>) => writer.#onReply(e.data);
    return writer;
  }

  lastId(): number {
    return this.#log.lastId();
  }

  openDeliveries(): [number, string][] {
    return this.#log.openDeliveries();
  }

  commitHandled(marks: Iterable<readonly [string, number]>): void {
    this.#log.commitHandled(marks);
  }

  writeBatch(batch: LogBatch): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the message log writer is closed"));
    const seq = ++this.#seq;
    const written = Promise.withResolvers<void>();
    this.#pending.set(seq, written);
    const { records, ...rest } = batch;
    const packed = packRecords(records);
    this.#worker.postMessage({ kind: "write", seq, packed, rest } satisfies WriterRequest);
    return written.promise;
  }

  /** Batches handed over and not yet committed. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Waits for every batch handed over, then stops the worker. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = Promise.withResolvers<void>();
      this.#worker.postMessage({ kind: "close" } satisfies WriterRequest);
    }
    await this.#closed.promise;
    this.#worker.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onReply(reply: WriterReply): void {
    if (reply.kind === "closed") {
      this.#closed?.resolve();
      return;
    }
    if (reply.kind === "opened") return;
    const waiting = this.#pending.get(reply.seq);
    this.#pending.delete(reply.seq);
    if (reply.kind === "written") waiting?.resolve();
    else waiting?.reject(new Error(reply.message));
  }
}
