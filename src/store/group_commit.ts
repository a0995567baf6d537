/**
 * Group commit for the message log: appends and delivery outcomes are
 * buffered on the routing thread and handed to the log's writer in one batch
 * per task — one record per message, outcomes only for failures, and
 * "handled" as per-receiver watermarks instead of a row update per delivery.
 * The writer is the log's own worker thread (log_writer.ts) on a data file,
 * or the store's connection for an in-memory store.
 */
import type { LogBatch, LogOutcome, LogRecord, MessageEntry } from "./log_records.ts";
import { MAX_RECORD_SPAN, type MessageLog } from "./message_log.ts";
import { Watermark } from "./log_watermark.ts";
import { clearImmediate, setImmediate } from "node:timers";

/** `log` writes every delivery; `none` only numbers them (in-memory delivery). */
export type MessageLogMode = "none" | "log";

/** How a {@linkcode GroupCommitWriter} writes. */
export interface GroupCommitOptions {
  /** Default `log`. */
  mode?: MessageLogMode;
  /** Appends and outcomes buffered before a batch is handed over at once. Default 1024. */
  maxBatch?: number;
  /**
   * Told about every batch that could not be written, whoever triggered the
   * write. Default `reportError`, which ends the process when nobody listens.
   */
  onError?: (error: MessageLogWriteError) => void;
}

/** The message log writer: positions for deliveries, written in batches. */
export interface MessageWriter extends Disposable {
  readonly mode: MessageLogMode;
  /** Buffers one delivery and returns its log position. */
  append(entry: MessageEntry): number;
  /** Records how a delivery ended. `accepted` and `delivered` change nothing. */
  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  /** A delivery logged before a restart is open again (being redelivered). */
  reopen(id: number, receiver: string): void;
  /** Resolves once everything buffered so far is committed; rejects if that write failed. */
  flush(): Promise<void>;
  /**
   * Commits the "handled" watermarks now, in the caller's store transaction
   * (so they land with the agent state that handling wrote); a synchronous
   * sink also writes the rest of the buffer now (throwing if that failed),
   * a background one takes it with the next batch.
   */
  flushSync(): void;
  /** Hands over what is buffered and stops taking appends. Idempotent. */
  close(): void;
}

/** Raised (and given to `onError`) when a batch could not be written; none of it landed. */
export class MessageLogWriteError extends Error {
  readonly code = "message_log_write_failed";
  constructor(
    /** Positions firstId..lastId were not logged (none when firstId > lastId). */
    readonly firstId: number,
    readonly lastId: number,
    /** Failed and dead deliveries that were not recorded. */
    readonly outcomes: number,
    options: ErrorOptions,
  ) {
    const count = lastId - firstId + 1;
    super(
      `Cannot write ${count} message position(s)${
        count > 0 ? ` (${firstId}..${lastId})` : ""
      } and ${outcomes} delivery outcome(s) to the message log: ${
        (options.cause as Error)?.message ?? options.cause
      }; they are not durable, so check the data directory is writable and that no other process writes this database`,
      options,
    );
    this.name = "MessageLogWriteError";
  }
}

/**
 * Where batches go: the store's log (synchronous) or the writer worker
 * (resolves once committed). Handled marks always go to the store's own
 * connection, inside the caller's transaction.
 */
export type LogSink = Pick<MessageLog, "lastId" | "commitHandled"> & {
  /**
   * Deliveries logged before and not done (position, receiver): open again from the start,
   * so no batch's watermark passes them before they are redelivered.
   */
  openDeliveries?(): Iterable<readonly [id: number, receiver: string]>;
  writeBatch(batch: LogBatch): void | Promise<void>;
  /** True when batches are written on another thread: flushSync then leaves them batched. */
  readonly background?: boolean;
};

interface _Record extends LogRecord {
  receivers: string[];
}

/**
 * The {@linkcode MessageWriter} over a {@linkcode LogSink}. Positions are
 * handed out synchronously from the log's last position + 1; consecutive
 * appends of one message (the router hands every receiver the same body
 * string) share one record; the buffer is handed over when it holds
 * `maxBatch` items or once the tasks already queued have run
 * (`setImmediate`; at most every millisecond for a writer thread), whichever
 * comes first.
 *
 * @example
 * ```ts
 * import { GroupCommitWriter, openStore } from "./mod.ts";
 * using store = openStore(":memory:");
 * using writer = new GroupCommitWriter(store.messages);
 * const id = writer.append({ message: { performative: "inform", receiver: ["b"] }, receiver: "b" });
 * writer.mark(id, "handled");
 * await writer.flush();
 * console.log(store.messages.unfinished().length); // 0
 * ```
 */
export class GroupCommitWriter implements MessageWriter {
  readonly mode: MessageLogMode;
  readonly #sink: LogSink;
  readonly #maxBatch: number;
  readonly #onError: (error: MessageLogWriteError) => void;
  #nextId: number;
  #records: _Record[] = [];
  #buffered = 0;
  #outcomes: LogOutcome[] = [];
  /** Receiver of each open delivery. */
  readonly #receiverOf = new Map<number, string>();
  /** Per receiver with open deliveries: its watermark. */
  readonly #byReceiver = new Map<string, Watermark>();
  readonly #all: Watermark;
  /** Watermarks moved since the last batch, for the writer. */
  #moved = new Map<string, number>();
  /** Watermarks moved since the last batch or flushSync, for the state's transaction. */
  #handled = new Map<string, number>();
  /** Cancels the scheduled hand-over, if one is. */
  #scheduled: (() => void) | undefined;
  #waiting: PromiseWithResolvers<void> | undefined;
  /** The last batch handed to an asynchronous sink, until committed. */
  #lastWrite: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(sink: LogSink, options: GroupCommitOptions = {}) {
    const { mode = "log", maxBatch = 1024, onError = (e) => reportError(e) } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`Cannot batch "${maxBatch}" items: maxBatch must be an integer >= 1`);
    }
    this.mode = mode;
    this.#sink = sink;
    this.#maxBatch = maxBatch;
    this.#onError = onError;
    this.#nextId = sink.lastId() + 1;
    this.#all = new Watermark(this.#nextId - 1);
    if (mode === "log") {
      for (const [id, receiver] of sink.openDeliveries?.() ?? []) this.#open(id, receiver);
    }
  }

  append(entry: MessageEntry): number {
    if (this.#closed) {
      throw new TypeError("Cannot append to a closed message writer: close it after the router");
    }
    const id = this.#nextId++;
    if (this.mode === "none") return id;
    const body = entry.body ?? JSON.stringify(entry.message);
    const traceId = entry.traceId ?? null;
    const last = this.#records.at(-1);
    if (
      last && last.body === body && last.traceId === traceId &&
      last.id + last.receivers.length === id && last.receivers.length < MAX_RECORD_SPAN
    ) {
      last.receivers.push(entry.receiver);
    } else {
      this.#records.push({ id, at: Date.now(), receivers: [entry.receiver], body, traceId });
    }
    this.#open(id, entry.receiver);
    this.#more();
    return id;
  }

  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  mark(
    id: number,
    status: "accepted" | "delivered" | "handled" | "failed" | "dead",
    reason?: string,
  ): void {
    if (this.#closed) {
      throw new TypeError(
        "Cannot mark a delivery on a closed message writer: close it after the router",
      );
    }
    if (this.mode === "none" || status === "accepted" || status === "delivered") return;
    const receiver = this.#receiverOf.get(id);
    if (receiver === undefined) return; // done already, or never logged here
    this.#receiverOf.delete(id);
    if (status !== "handled") {
      this.#outcomes.push({ id, status, reason: reason ?? "", at: Date.now() });
    }
    const mark = this.#byReceiver.get(receiver)!;
    const moved = mark.close(id);
    if (moved) {
      this.#moved.set(receiver, mark.through);
      // Nothing open: the stored watermark says all there is.
      if (mark.outstanding === 0) this.#byReceiver.delete(receiver);
    }
    this.#all.close(id);
    this.#more();
    // After a batch #more may have written: the state's flushSync that follows needs this mark.
    if (moved) this.#handled.set(receiver, mark.through);
  }

  reopen(id: number, receiver: string): void {
    if (this.mode === "none" || this.#receiverOf.has(id)) return;
    this.#open(id, receiver);
  }

  flush(): Promise<void> {
    if (this.#buffered === 0 && this.#moved.size === 0) return this.#lastWrite;
    this.#waiting ??= Promise.withResolvers<void>();
    this.#schedule(false);
    return this.#waiting.promise;
  }

  flushSync(): void {
    if (this.#handled.size > 0) {
      const marks = this.#handled;
      this.#handled = new Map();
      this.#sink.commitHandled(marks);
    }
    // A writer thread takes the rest with the next batch: one state write must not cost a batch.
    if (this.#sink.background) return;
    const error = this.#write();
    if (error) throw error;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#write();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #open(id: number, receiver: string): void {
    this.#receiverOf.set(id, receiver);
    let mark = this.#byReceiver.get(receiver);
    if (!mark) this.#byReceiver.set(receiver, mark = new Watermark());
    mark.open(id);
    this.#all.open(id);
  }

  #more(): void {
    if (++this.#buffered >= this.#maxBatch) this.#write();
    else this.#schedule(this.#sink.background === true);
  }

  /**
   * setImmediate: a batch spans every task already queued (worker replies, HTTP requests),
   * where queueMicrotask would write once per task. A writer thread gets batches at most
   * every millisecond instead: each hand-over costs a postMessage and a transaction there, and
   * at low rates every task made a batch of a few rows (measured: ~30 us per row handed over).
   */
  #schedule(background: boolean): void {
    if (this.#scheduled) return;
    if (background) {
      const timer = setTimeout(() => this.#write(), 1);
      this.#scheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.#write());
      this.#scheduled = () => clearImmediate(immediate);
    }
  }

  /** Hands the buffer to the sink as one batch; reports (and returns) a synchronous failure. */
  #write(): MessageLogWriteError | undefined {
    this.#scheduled?.();
    this.#scheduled = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (this.#buffered === 0 && this.#moved.size === 0) {
      waiting?.resolve();
      return undefined;
    }
    const batch: LogBatch = {
      records: this.#records,
      outcomes: this.#outcomes,
      watermarks: [...this.#moved],
      doneThrough: this.#all.through,
      lastId: this.#nextId - 1,
    };
    this.#records = [];
    this.#outcomes = [];
    this.#moved = new Map();
    // The writer now carries these too; flushSync needs only marks moved since (its own).
    this.#handled = new Map();
    this.#buffered = 0;
    const failed = (cause: unknown) => {
      const first = batch.records[0]?.id ?? 0;
      const last = batch.records.at(-1);
      const error = new MessageLogWriteError(
        first,
        last ? last.id + last.receivers.length - 1 : first - 1,
        batch.outcomes.length,
        { cause },
      );
      this.#onError(error);
      return error;
    };
    let written: void | Promise<void>;
    try {
      written = this.#sink.writeBatch(batch);
    } catch (cause) {
      const error = failed(cause);
      waiting?.reject(error);
      return error;
    }
    if (written instanceof Promise) {
      this.#lastWrite = written.catch((cause) => {
        throw failed(cause);
      });
      // The caller of flush() hears of a failure; nobody else must see it unhandled.
      this.#lastWrite.catch(() => {});
      waiting?.resolve(this.#lastWrite);
    } else {
      waiting?.resolve();
    }
    return undefined;
  }
}
