/**
 * Timeouts for many waiters at a cost of one timer per distinct duration,
 * not one per waiter: a `setTimeout` and its `clearTimeout` were ~2 % of the
 * main thread's time on the REST request → reply path (issue 15).
 *
 * Waiters of the same duration expire in the order they were added, so each
 * duration keeps an insertion-ordered map whose first entry is the next to
 * expire; its one timer is armed for that entry and re-armed as it fires.
 */

interface _Lane<T> {
  readonly entries: Map<T, number>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Calls `onExpire(item)` once `durationMs` has passed for every item still added. */
export class Deadlines<T> {
  readonly #lanes = new Map<number, _Lane<T>>();
  readonly #onExpire: (item: T) => void;

  constructor(onExpire: (item: T) => void) {
    this.#onExpire = onExpire;
  }

  /** Starts `item`'s clock. */
  add(item: T, durationMs: number): void {
    let lane = this.#lanes.get(durationMs);
    if (lane === undefined) {
      lane = { entries: new Map(), timer: undefined };
      this.#lanes.set(durationMs, lane);
    }
    lane.entries.set(item, performance.now() + durationMs);
    if (lane.timer === undefined) this.#arm(durationMs, lane, durationMs);
  }

  /** Stops `item`'s clock (it was answered); a no-op for an unknown item. */
  delete(item: T, durationMs: number): void {
    const lane = this.#lanes.get(durationMs);
    if (lane === undefined || !lane.entries.delete(item) || lane.entries.size > 0) return;
    clearTimeout(lane.timer);
    this.#lanes.delete(durationMs);
  }

  #arm(durationMs: number, lane: _Lane<T>, delayMs: number): void {
    clearTimeout(lane.timer);
    lane.timer = setTimeout(() => this.#fire(durationMs, lane), Math.max(0, delayMs));
  }

  #fire(durationMs: number, lane: _Lane<T>): void {
    lane.timer = undefined;
    const now = performance.now();
    for (const [item, deadline] of lane.entries) {
      if (deadline > now) return this.#arm(durationMs, lane, deadline - now);
      lane.entries.delete(item);
      this.#onExpire(item);
    }
    if (lane.entries.size === 0 && this.#lanes.get(durationMs) === lane) {
      this.#lanes.delete(durationMs);
    }
  }
}
