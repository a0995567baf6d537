/**
 * The host side of fuel metering: a message's fuel budget handed out in
 * slices, and its wall-clock deadline. Metered code calls
 * `caxton_meter.refuel(fuel)` whenever a slice runs out (see `fuel.ts`);
 * before granting the next slice the meter checks the deadline and throws
 * {@linkcode DeadlineExceededError} once it has passed, or
 * {@linkcode FuelExhaustedError} once the budget is spent. The exception
 * unwinds the agent's code, so a worker never spins past a deadline by more
 * than one slice, whatever the fuel budget: no thread is left to the watchdog.
 *
 * @module
 */

/**
 * The version of what metering writes into a module. Metered builds are
 * cached by content hash and limits (in memory and in the store); a change to
 * the metering bumps this so no build of the old metering is reused.
 * 2: out of fuel calls `caxton_meter.refuel` (slices and deadline) instead of trapping.
 */
export const METERING_VERSION = 2;

/**
 * The host function metering adds as an import: `refuel(fuel: i64) -> i64`.
 * A deployed module cannot import it itself: only `caxton` functions pass the
 * import check. (Here, not beside the ABI rules: those load binaryen, which
 * an agent worker must not.)
 */
export const REFUEL_IMPORT = { module: "caxton_meter", base: "refuel" } as const;

/**
 * Fuel granted per slice. One slice runs in well under a millisecond on this
 * machine (bench `deadline_stop_ms`), so the deadline is checked that often,
 * at the cost of one host call per slice (bench `interrupt_overhead_pct`).
 */
export const FUEL_SLICE = 500_000;

/** The fuel an instance starts with: the first slice of `budget`, baked into the module. */
export function firstSlice(budget: number): number {
  return Math.min(FUEL_SLICE, budget);
}

/** Agent code ran past its message's deadline and was stopped. */
export class DeadlineExceededError extends Error {
  override name = "DeadlineExceededError";
  readonly code = "deadline_exceeded";
  constructor(readonly deadlineMs: number) {
    super(
      `deadline_exceeded: agent code ran past its deadline of ${deadlineMs} ms and was stopped`,
    );
  }
}

/** Agent code spent its whole fuel budget. */
export class FuelExhaustedError extends Error {
  override name = "FuelExhaustedError";
  readonly code = "fuel_exhausted";
  constructor(readonly budget: number) {
    super(`fuel exhausted (budget ${budget})`);
  }
}

/** One run's budget and deadline; reused run after run by one instance. */
export class FuelMeter {
  #budget = 0;
  #deadlineMs = 0;
  /** `performance.now()` past which the run is stopped. */
  #deadline = 0;
  /** Fuel granted so far in this run, the first slice included. */
  #granted = 0;
  /** The fuel value passed to the last refuel that threw: what the code had overspent. */
  #overspent = 0;

  /**
   * Starts a run of `budget` fuel and `deadlineMs` of wall clock. Returns the
   * first slice, for the caller to put into the fuel global (the start
   * function has it baked in already).
   */
  begin(budget: number, deadlineMs: number): number {
    this.#budget = budget;
    this.#deadlineMs = deadlineMs;
    this.#deadline = performance.now() + deadlineMs;
    this.#granted = firstSlice(budget);
    this.#overspent = 0;
    return this.#granted;
  }

  /**
   * The `caxton_meter.refuel` import: called with the (negative) fuel left,
   * returns the grant that covers the deficit and the next slice.
   */
  readonly refuel = (fuel: bigint): bigint => {
    const deficit = -Number(fuel);
    if (performance.now() > this.#deadline) {
      this.#overspent = deficit;
      throw new DeadlineExceededError(this.#deadlineMs);
    }
    const remaining = this.#budget - this.#granted;
    if (deficit > remaining) {
      this.#overspent = deficit;
      throw new FuelExhaustedError(this.#budget);
    }
    const grant = Math.min(remaining, Math.max(FUEL_SLICE, deficit));
    this.#granted += grant;
    return BigInt(grant);
  };

  /**
   * Stops the run if its deadline has passed. Host functions call this on
   * entry: a loop of host calls that each move many bytes can take far
   * longer per slice than plain code.
   */
  check(): void {
    if (performance.now() > this.#deadline) throw new DeadlineExceededError(this.#deadlineMs);
  }

  /**
   * Fuel the run used, given the global's value after it (ignored when a
   * refuel threw: the code had spent past what the global shows).
   */
  used(fuelLeft: bigint, error?: unknown): number {
    if (error instanceof FuelExhaustedError) return this.#budget;
    const spent = error instanceof DeadlineExceededError && this.#overspent > 0
      ? this.#granted + this.#overspent
      : this.#granted - Number(fuelLeft);
    return Math.max(0, Math.min(this.#budget, spent));
  }
}
