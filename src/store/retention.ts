/**
 * Retention of the message log: every so often, the finished deliveries
 * older than a maximum age, and the oldest ones while the log is over its
 * size budget, are pruned. Unfinished deliveries are never touched. The work
 * runs in small transactions with a yield between them, so routing and the
 * API keep the main thread while a large backlog is pruned.
 */
import type { MessageLog } from "./message_log.ts";
import type { Pruned } from "./log_records.ts";

/** What retention needs from the log. */
export type RetainedLog = Pick<
  MessageLog,
  "lastId" | "size" | "firstId" | "firstAcceptedFrom" | "positionFreeing" | "prune"
>;

/** Options of {@linkcode LogRetention}. */
export interface LogRetentionOptions {
  /** Finished deliveries older than this (ms) are pruned; 0 keeps them by age. */
  maxAgeMs: number;
  /** While the log's estimated size is over this, its oldest finished deliveries go; 0: no cap. */
  maxBytes: number;
  /** How often a pass runs. */
  intervalMs: number;
  /** Positions per prune transaction. Default 2,048. */
  chunk?: number;
  /** Told when a pass fails (it runs again at the next interval). */
  onError?: (error: Error) => void;
  /** The clock, Unix epoch milliseconds (tests). */
  now?: () => number;
}

/**
 * A size cap prunes down to this share of it, so a log at its cap is not
 * pruned by a sliver at every pass.
 */
const _SIZE_TARGET = 0.9;

/** Prunes a message log by age and size, periodically, until closed. */
export class LogRetention implements AsyncDisposable {
  readonly #log: RetainedLog;
  readonly #options: Required<Omit<LogRetentionOptions, "onError">> & {
    onError?: (error: Error) => void;
  };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<Pruned> | undefined;
  #closed = false;

  constructor(log: RetainedLog, options: LogRetentionOptions) {
    const { chunk = 2_048, now = Date.now } = options;
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(`Cannot prune "${chunk}" positions at a time: use an integer >= 1`);
    }
    this.#log = log;
    this.#options = { ...options, chunk, now };
  }

  /** Starts the periodic passes (the first after one interval). Off when no limit is set. */
  start(): this {
    if (this.#options.maxAgeMs > 0 || this.#options.maxBytes > 0) this.#schedule();
    return this;
  }

  /**
   * Runs one pass now: prunes every finished delivery before the position
   * that age and size ask for. Resolves with what it deleted.
   */
  pass(): Promise<Pruned> {
    this.#running ??= this.#pass().finally(() => this.#running = undefined);
    return this.#running;
  }

  /** Stops the passes; a pass under way stops after its current transaction. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(async () => {
      try {
        await this.pass();
      } catch (error) {
        this.#options.onError?.(error as Error);
      }
      this.#schedule();
    }, this.#options.intervalMs);
  }

  /** The position before which finished deliveries go, or 0 for none. */
  #boundary(): number {
    const { maxAgeMs, maxBytes, now } = this.#options;
    const log = this.#log;
    let before = 0;
    if (maxAgeMs > 0) {
      before = log.firstAcceptedFrom(now() - maxAgeMs) ?? log.lastId() + 1;
    }
    if (maxBytes > 0) {
      const { bytes } = log.size();
      if (bytes > maxBytes) {
        const bySize = log.positionFreeing(bytes - maxBytes * _SIZE_TARGET) ?? log.lastId() + 1;
        before = Math.max(before, bySize);
      }
    }
    return before;
  }

  async #pass(): Promise<Pruned> {
    const total: Pruned = { deliveries: 0, bytes: 0 };
    const before = this.#boundary();
    // Jump over what earlier passes left (unfinished deliveries) instead of walking every chunk.
    let from = this.#log.firstId();
    while (from !== undefined && from < before && !this.#closed) {
      const to = Math.min(from + this.#options.chunk, before);
      const pruned = this.#log.prune(to, { from });
      total.deliveries += pruned.deliveries;
      total.bytes += pruned.bytes;
      // Let routing, the writer and the API run between transactions.
      await new Promise((resolve) => setTimeout(resolve, 0));
      from = this.#log.firstId(to);
    }
    return total;
  }
}
