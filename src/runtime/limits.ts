/**
 * Per-agent resource limits. Each deployment may override any of them; the
 * rest come from the node's global defaults.
 */

/** The limits one agent runs under. */
export interface AgentLimits {
  /** Fuel for handling one message (and for start + `caxton_init`). Deterministic. */
  fuelPerMessage: number;
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
  memoryPages: 256,
  maxMessageBytes: 256 * 1024,
  maxModuleBytes: 8 * 1024 * 1024,
  maxTraps: 5,
  trapWindowMs: 60_000,
});

const _BOUNDS: Record<keyof AgentLimits, [number, number]> = {
  fuelPerMessage: [1_000, 1e15],
  memoryPages: [1, 65_536],
  maxMessageBytes: [256, 64 * 1024 * 1024],
  maxModuleBytes: [8, 256 * 1024 * 1024],
  maxTraps: [1, 1_000_000],
  trapWindowMs: [1, 86_400_000],
};

/** Raised when a limit override is not a number in its allowed range. */
export class InvalidLimitError extends RangeError {
  readonly code = "invalid_limit";
  constructor(readonly limit: string, readonly value: unknown) {
    const bounds = _BOUNDS[limit as keyof AgentLimits];
    super(
      bounds
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
  return limits;
}
