/**
 * Ids for the timers an agent instance sets, made on the worker thread with
 * no round trip: milliseconds since the epoch times 1,000, plus a counter, and
 * never below the last one given. So ids grow across restarts (the clock
 * moved on) and stay below 2^53; the store refuses the rare id an agent
 * already has (another instance in the same millisecond) and the host says so.
 */
export class TimerIds {
  #last = 0;

  /** The next id: unique and increasing for this instance. */
  next(): number {
    this.#last = Math.max(this.#last + 1, Date.now() * 1000);
    return this.#last;
  }
}
