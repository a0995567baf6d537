/**
 * Per-agent resource limits. Each deployment may override any of them; the
 * rest come from the node's global defaults.
 */

/** The limits one agent runs under. */
export interface AgentLimits {
  /**
   * Fuel for handling one message (and for start + `caxton_init`).
   * Deterministic. At most {@linkcode FUEL_PER_DEADLINE_MS} per millisecond of
   * {@linkcode AgentLimits.deadlineMs}: more could never be burnt in time.
   */
  fuelPerMessage: number;
  /**
   * Wall clock for handling one message (and for the start function, and for
   * `caxton_init`), in milliseconds: agent code still running then is stopped
   * with `deadline_exceeded`, whatever fuel it has left.
   */
  deadlineMs: number;
  /** Cap on linear memory, in 64 KiB pages. */
  memoryPages: number;
  /** Largest message the agent may send or receive, in bytes. */
  maxMessageBytes: number;
  /** Largest module that may be deployed, in bytes. */
  maxModuleBytes: number;
  /** Traps tolerated within {@linkcode AgentLimits.trapWindowMs} before the agent is Failed. */
  maxTraps: number;
  /** The window in which traps are counted, in milliseconds. */
  trapWindowMs: number;
}

/** How an agent shares a worker thread. */
export type Isolation = "shared" | "dedicated";

/** Defaults from docs/ABI.md. */
export const DEFAULT_LIMITS: Readonly<AgentLimits> = Object.freeze({
  fuelPerMessage: 10_000_000,
  deadlineMs: 1_000,
  memoryPages: 256,
  maxMessageBytes: 256 * 1024,
  maxModuleBytes: 8 * 1024 * 1024,
  maxTraps: 5,
  trapWindowMs: 60_000,
});

/**
 * The most fuel one millisecond of deadline can buy: above what a fast core
 * burns, so a budget the deadline allows can be spent. Measured here (2
 * shared cores): ~8-15 million per ms on a metered sieve (cheap expressions,
 * summed per region), ~0.2-0.6 million per ms on a bare `loop br`.
 */
export const FUEL_PER_DEADLINE_MS = 50_000_000;

/**
 * The longest deadline: below the worker watchdog's default (10 s), so a
 * spinning agent is stopped by its deadline before the watchdog gives up on
 * its worker.
 */
export const MAX_DEADLINE_MS = 5_000;

const _BOUNDS: Record<keyof AgentLimits, [number, number]> = {
  fuelPerMessage: [1_000, MAX_DEADLINE_MS * FUEL_PER_DEADLINE_MS],
  deadlineMs: [1, MAX_DEADLINE_MS],
  memoryPages: [1, 65_536],
  maxMessageBytes: [256, 64 * 1024 * 1024],
  maxModuleBytes: [8, 256 * 1024 * 1024],
  maxTraps: [1, 1_000_000],
  trapWindowMs: [1, 86_400_000],
};

/** Raised when a limit override is not a number in its allowed range. */
export class InvalidLimitError extends RangeError {
  readonly code = "invalid_limit";
  constructor(readonly limit: string, readonly value: unknown, why?: string) {
    const bounds = _BOUNDS[limit as keyof AgentLimits];
    super(
      why !== undefined
        ? `Cannot use limit "${limit}" = ${JSON.stringify(value)}: ${why}`
        : bounds
        ? `Cannot use limit "${limit}" = ${JSON.stringify(value)}: it must be an integer from ${
          bounds[0]
        } to ${bounds[1]}`
        : `Cannot use limit "${limit}": unknown limit; known limits are ${
          Object.keys(_BOUNDS).join(", ")
        }`,
    );
    this.name = "InvalidLimitError";
  }
}

/** Merges overrides onto a base, refusing unknown keys and out-of-range values. */
export function resolveLimits(
  overrides: Partial<Record<string, unknown>> = {},
  base: Readonly<AgentLimits> = DEFAULT_LIMITS,
): AgentLimits {
  const limits: AgentLimits = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const bounds = _BOUNDS[key as keyof AgentLimits];
    if (!bounds) throw new InvalidLimitError(key, value);
    if (
      typeof value !== "number" || !Number.isInteger(value) || value < bounds[0] ||
      value > bounds[1]
    ) throw new InvalidLimitError(key, value);
    limits[key as keyof AgentLimits] = value;
  }
  // Fuel the deadline could never let the agent burn is a promise the node cannot keep.
  const fuelCap = limits.deadlineMs * FUEL_PER_DEADLINE_MS;
  if (limits.fuelPerMessage > fuelCap) {
    throw new InvalidLimitError(
      "fuelPerMessage",
      limits.fuelPerMessage,
      `over the ${fuelCap} that deadlineMs = ${limits.deadlineMs} allows ` +
        `(${FUEL_PER_DEADLINE_MS} per ms); raise deadlineMs (at most ${MAX_DEADLINE_MS}) ` +
        `or lower fuelPerMessage`,
    );
  }
  return limits;
}
