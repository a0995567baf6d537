/**
 * Whether a worker is saturated: its backlog of pending deliveries (in the
 * agents' mailboxes on the main thread, posted to it, or queued between its
 * own agents) has stayed above a threshold for a while. `/ready` reports the
 * node `degraded` with the workers and figures while that holds, and
 * `ready` again as soon as they drain — a storm in one worker must not hide
 * behind a `ready` while its neighbours wait.
 */

/**
 * The main thread is lagging when its timers fire this much later than asked
 * (ms), at every look for `forMs`: routing, outcomes and HTTP all wait for it.
 */
export const DEFAULT_MAX_LAG_MS = 50;
/** How often the main thread's lag is measured (ms). */
const _LAG_EVERY_MS = 20;

/** Options of {@linkcode SaturationWatch}. */
export interface SaturationOptions {
  /** Backlog per worker (by index) right now. */
  sample: () => number[];
  /** A worker is saturated above this many pending deliveries… */
  backlog: number;
  /** …held for at least this long. */
  forMs: number;
  /** How often the backlog is sampled. */
  everyMs?: number;
  /** Event-loop lag (ms) above which the main thread counts as lagging; 0: not watched. */
  maxLagMs?: number;
}

/** The main thread's event loop has stayed late. */
export interface EventLoopLag {
  /** How late its last timer fired (ms). */
  lagMs: number;
  /** How long it has been late. */
  forMs: number;
}

/** A worker that has stayed saturated. */
export interface SaturatedWorker {
  worker: number;
  /** Pending deliveries now. */
  backlog: number;
  /** How long it has been above the threshold. */
  forMs: number;
}

/** Samples worker backlogs and says which have stayed above the threshold. */
export class SaturationWatch {
  readonly #options: SaturationOptions;
  /** Per worker: since when its backlog has been above the threshold, or null. */
  #aboveSince: (number | null)[] = [];
  #backlogs: number[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #lagTimer: ReturnType<typeof setInterval> | undefined;
  #lastTick = performance.now();
  #lagMs = 0;
  /** Since when every look found the loop late, or null. */
  #lateSince: number | null = null;

  constructor(options: SaturationOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#check(), options.everyMs ?? 100);
    const maxLag = options.maxLagMs ?? DEFAULT_MAX_LAG_MS;
    if (maxLag > 0) {
      this.#lagTimer = setInterval(() => this.#measureLag(maxLag), _LAG_EVERY_MS);
    }
  }

  /**
   * The main thread's event-loop lag, when it has stayed above `maxLagMs` for
   * `forMs` (so `/ready` says `degraded`); null otherwise.
   */
  eventLoopLag(): EventLoopLag | null {
    const now = performance.now();
    // A loop stuck since the last tick has not had the chance to measure it: count it now.
    const pending = now - this.#lastTick - _LAG_EVERY_MS;
    const maxLag = this.#options.maxLagMs ?? DEFAULT_MAX_LAG_MS;
    const since = pending > maxLag ? this.#lateSince ?? this.#lastTick : this.#lateSince;
    if (maxLag <= 0 || since === null || now - since < this.#options.forMs) return null;
    return { lagMs: Math.round(Math.max(this.#lagMs, pending)), forMs: Math.round(now - since) };
  }

  /** Workers saturated now (sampled afresh, so a drained worker is never reported). */
  saturated(): SaturatedWorker[] {
    const now = this.#check();
    const saturated: SaturatedWorker[] = [];
    this.#aboveSince.forEach((since, worker) => {
      if (since !== null && now - since >= this.#options.forMs) {
        saturated.push({
          worker,
          backlog: this.#backlogs[worker]!,
          forMs: Math.round(now - since),
        });
      }
    });
    return saturated;
  }

  close(): void {
    clearInterval(this.#timer);
    clearInterval(this.#lagTimer);
  }

  #measureLag(maxLag: number): void {
    const now = performance.now();
    this.#lagMs = Math.max(0, now - this.#lastTick - _LAG_EVERY_MS);
    // Late since the tick that should have come first, if this one is late.
    if (this.#lagMs > maxLag) this.#lateSince ??= this.#lastTick + _LAG_EVERY_MS;
    else this.#lateSince = null;
    this.#lastTick = now;
  }

  #check(): number {
    const now = performance.now();
    const backlogs = this.#options.sample();
    this.#aboveSince = backlogs.map((backlog, i) =>
      backlog > this.#options.backlog ? this.#aboveSince[i] ?? now : null
    );
    this.#backlogs = backlogs;
    return now;
  }
}
