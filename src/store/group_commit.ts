/**
 * Group commit for the message log: the main thread's single writer buffers
 * appends and delivery marks and writes them in one transaction per batch,
 * so the log costs one commit per batch instead of one per message.
 */
import type { DeliveryStatus, LogEntry, MarkUpdate, MessageEntry } from "./log_records.ts";
import type { MessageLog } from "./message_log.ts";
import { clearImmediate, setImmediate } from "node:timers";

/** `log` writes every delivery; `none` only numbers them (in-memory delivery). */
export type MessageLogMode = "none" | "log";

/** How a {@linkcode GroupCommitWriter} writes. */
export interface GroupCommitOptions {
  /** Default `log`. */
  mode?: MessageLogMode;
  /** Appends and marks buffered before a write happens at once. Default 1024. */
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
  /** Buffers a change of the delivery's state. */
  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  /** Resolves once everything buffered so far is written; rejects if that write failed. */
  flush(): Promise<void>;
  /** Writes everything buffered now; throws if the write failed. */
  flushSync(): void;
  /** Writes what is buffered and stops taking appends. Idempotent. */
  close(): void;
}

/** Raised (and given to `onError`) when a batch could not be written; none of it landed. */
export class MessageLogWriteError extends Error {
  readonly code = "message_log_write_failed";
  constructor(
    /** Positions firstId..lastId were not logged (none when firstId > lastId). */
    readonly firstId: number,
    readonly lastId: number,
    /** Delivery marks that were not recorded. */
    readonly marks: readonly MarkUpdate[],
    options: ErrorOptions,
  ) {
    const count = lastId - firstId + 1;
    super(
      `Cannot write ${count} message(s)${
        count > 0 ? ` (positions ${firstId}..${lastId})` : ""
      } and ${marks.length} delivery mark(s) to the message log: ${
        (options.cause as Error)?.message ?? options.cause
      }; they are not durable, so check the data directory is writable and that no other process writes this database`,
      options,
    );
    this.name = "MessageLogWriteError";
  }
}

/** What the writer needs from the log. */
export type BatchLog = Pick<MessageLog, "lastId" | "writeBatch">;

interface _Pending extends LogEntry {
  status: DeliveryStatus;
  reason: string | null;
}

/**
 * The {@linkcode MessageWriter} over a {@linkcode MessageLog}. Positions are
 * handed out synchronously from the log's last position + 1; the buffer is
 * written when it holds `maxBatch` items or once the tasks already queued
 * have run (`setImmediate`), whichever comes first.
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
  readonly #log: BatchLog;
  readonly #maxBatch: number;
  readonly #onError: (error: MessageLogWriteError) => void;
  #nextId: number;
  #entries: _Pending[] = [];
  #marks = new Map<number, MarkUpdate>();
  #timer: ReturnType<typeof setImmediate> | undefined;
  #waiting: PromiseWithResolvers<void> | undefined;
  #closed = false;

  constructor(log: BatchLog, options: GroupCommitOptions = {}) {
    const { mode = "log", maxBatch = 1024, onError = (e) => reportError(e) } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`Cannot batch "${maxBatch}" items: maxBatch must be an integer >= 1`);
    }
    this.mode = mode;
    this.#log = log;
    this.#maxBatch = maxBatch;
    this.#onError = onError;
    this.#nextId = log.lastId() + 1;
  }

  append(entry: MessageEntry): number {
    if (this.#closed) {
      throw new TypeError("Cannot append to a closed message writer: close it after the router");
    }
    const id = this.#nextId++;
    if (this.mode === "none") return id;
    this.#entries.push({
      id,
      acceptedAt: Date.now(),
      message: entry.message,
      receiver: entry.receiver,
      body: entry.body ?? JSON.stringify(entry.message),
      traceId: entry.traceId,
      status: "accepted",
      reason: null,
    });
    this.#buffered();
    return id;
  }

  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  mark(id: number, status: DeliveryStatus, reason?: string): void {
    if (this.#closed) {
      throw new TypeError(
        "Cannot mark a delivery on a closed message writer: close it after the router",
      );
    }
    if (this.mode === "none") return;
    const first = this.#entries[0]?.id ?? Infinity;
    const pending = id >= first ? this.#entries[id - first] : undefined;
    if (pending) {
      // Still buffered: the row is inserted in its latest state, no UPDATE needed.
      pending.status = status;
      pending.reason = reason ?? null;
      return;
    }
    // Later marks replace earlier ones: delivered then handled is one UPDATE.
    this.#marks.set(id, { id, status, reason } as MarkUpdate);
    this.#buffered();
  }

  flush(): Promise<void> {
    if (this.#entries.length === 0 && this.#marks.size === 0) return Promise.resolve();
    this.#waiting ??= Promise.withResolvers<void>();
    return this.#waiting.promise;
  }

  flushSync(): void {
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

  #buffered(): void {
    if (this.#entries.length + this.#marks.size >= this.#maxBatch) this.#write();
    // setImmediate: a batch spans every task already queued (worker replies, HTTP
    // requests), where queueMicrotask would write once per task (~10 rows per commit, less
    // than half the rows/s) and setTimeout 0 would add 1-2 ms to an idle flush().
    // bench/message_log.ts measures all three.
    else this.#timer ??= setImmediate(() => this.#write());
  }

  /** Writes the buffer in one transaction; reports (and returns) a failure. */
  #write(): MessageLogWriteError | undefined {
    if (this.#timer !== undefined) {
      clearImmediate(this.#timer);
      this.#timer = undefined;
    }
    const entries = this.#entries;
    const marks = this.#marks;
    const waiting = this.#waiting;
    if (entries.length === 0 && marks.size === 0) return undefined;
    this.#entries = [];
    this.#marks = new Map();
    this.#waiting = undefined;
    const updates = [...marks.values()];
    try {
      this.#log.writeBatch(entries, updates);
    } catch (cause) {
      const first = entries[0]?.id ?? 0;
      const error = new MessageLogWriteError(first, first + entries.length - 1, updates, {
        cause,
      });
      waiting?.reject(error);
      this.#onError(error);
      return error;
    }
    waiting?.resolve();
    return undefined;
  }
}
