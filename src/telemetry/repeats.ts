/**
 * Repeated warnings and errors, aggregated. A storm (thousands of dead
 * letters a second, an agent trapping on every message) would otherwise
 * write one line per event: issue 13 measured 933 MB of stderr in four
 * minutes. Per kind of line, the first in each interval is written as it
 * comes; the rest are counted, and when the interval ends one more line
 * says how many there were, with the last one's fields as the example. A
 * storm then costs at most two lines per kind per interval.
 */
import { ATTR } from "./attributes.ts";
import { LOG_LEVELS, type Logger, type LogLevel } from "./logger.ts";

/** Options of {@linkcode RepeatAggregator}. */
export interface RepeatAggregatorOptions {
  /** Length of one counting interval, ms. Default 5,000. */
  intervalMs?: number;
}

/**
 * Fields that name what a line is about: lines that differ in one of them
 * are different kinds (an agent's traps are not another agent's, a refused
 * tool call is not a failed one). Other fields (ids, reasons) vary per event.
 */
const _IDENTITY = [ATTR.agentName, "caxton.mcp.server", "caxton.mcp.tool", "outcome"];
const _FROM = LOG_LEVELS.indexOf("warn");

interface _Kind {
  level: LogLevel;
  message: string;
  /** Lines of this kind not written in this interval. */
  repeated: number;
  /** The last of them. */
  example: Record<string, unknown>;
}

/**
 * A {@linkcode Logger} in front of another that aggregates repeated warn and
 * error lines; lower levels pass straight through. Close it to write the
 * counts still pending.
 *
 * @example
 * ```ts
 * import { RepeatAggregator } from "./repeats.ts";
 * const lines: string[] = [];
 * const log = new RepeatAggregator({ log: (_level, msg) => lines.push(msg) });
 * for (let i = 0; i < 1000; i++) log.log("warn", "dead letter", { reason: "nobody" });
 * log.close();
 * console.log(lines.length); // 2: the first, then "999 more like it"
 * ```
 */
export class RepeatAggregator implements Logger, Disposable {
  readonly #inner: Logger;
  readonly #intervalMs: number;
  /** Kinds seen in the current interval. */
  #kinds = new Map<string, _Kind>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(inner: Logger, options: RepeatAggregatorOptions = {}) {
    const { intervalMs = 5_000 } = options;
    if (!(intervalMs > 0)) {
      throw new RangeError(`Cannot count repeats over ${intervalMs} ms: use a positive interval`);
    }
    this.#inner = inner;
    this.#intervalMs = intervalMs;
  }

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (this.#closed || LOG_LEVELS.indexOf(level) < _FROM) {
      this.#inner.log(level, message, fields);
      return;
    }
    let key = `${level}\u0000${message}`;
    for (const name of _IDENTITY) {
      const value = fields[name];
      if (value !== undefined) key += `\u0000${name}=${String(value)}`;
    }
    const kind = this.#kinds.get(key);
    if (kind) {
      kind.repeated++;
      kind.example = fields;
      return;
    }
    this.#kinds.set(key, { level, message, repeated: 0, example: fields });
    // The interval starts with the first line of a storm: an idle node keeps no timer.
    this.#timer ??= setTimeout(() => this.#endInterval(), this.#intervalMs);
    this.#inner.log(level, message, fields);
  }

  /** Writes the pending counts and passes every later line straight through. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#endInterval();
    this.#closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #endInterval(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const kinds = this.#kinds;
    this.#kinds = new Map();
    for (const kind of kinds.values()) {
      if (kind.repeated === 0) continue;
      this.#inner.log(kind.level, kind.message, {
        ...kind.example,
        repeated: kind.repeated,
        intervalMs: this.#intervalMs,
      });
    }
  }
}
