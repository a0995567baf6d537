/**
 * Whether a worker is saturated: its backlog of pending deliveries (in the
 * agents' mailboxes on the main thread, posted to it, or queued between its
 * own agents) has stayed above a threshold for a while. `/ready` reports the
 * node `degraded` with the workers and figures while that holds, and
 * `ready` again as soon as they drain — a storm in one worker must not hide
 * behind a `ready` while its neighbours wait.
 */

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

  constructor(options: SaturationOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#check(), options.everyMs ?? 100);
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
