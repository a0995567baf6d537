import { parseIntegerSection, sectionFromEnv } from "./integer_section.ts";

/**
 * The `pools` setting (docs/POOLS.md): when a pool deployed with
 * `instances: {min, max}` grows by a member and when it gives one back.
 */

/** When self-sized pools grow and shrink. */
export interface PoolsConfig {
  /** Grow when the mailbox holds more than this many messages per member… */
  growDepth: number;
  /** …for this long (ms). */
  growAfterMs: number;
  /** Give a member back after this long (ms) without a message. */
  shrinkAfterMs: number;
}

/** Defaults: grow after 1 s above 8 messages a member, shrink after 10 s idle. */
export function defaultPoolsConfig(): PoolsConfig {
  return { growDepth: 8, growAfterMs: 1_000, shrinkAfterMs: 10_000 };
}

/** Environment variables of the `pools` setting, by field. */
const _ENV: Record<string, keyof PoolsConfig> = {
  CAXTON_POOL_GROW_DEPTH: "growDepth",
  CAXTON_POOL_GROW_AFTER_MS: "growAfterMs",
  CAXTON_POOL_SHRINK_AFTER_MS: "shrinkAfterMs",
};

/** The range of each field. */
const _RANGES: Record<keyof PoolsConfig, readonly [number, number]> = {
  growDepth: [1, 100_000],
  growAfterMs: [1, 3_600_000],
  shrinkAfterMs: [1, 86_400_000],
};

/** The `pools` fields set in `env`, or undefined when none is. */
export function poolsFromEnv(
  env: Record<string, string | undefined>,
): Record<string, unknown> | undefined {
  return sectionFromEnv(env, _ENV);
}

/** Reads `value` (the config file's object, or fields from the environment) over `current`. */
export function parsePoolsConfig(value: unknown, current: PoolsConfig): PoolsConfig {
  return parseIntegerSection("pools", value, current, _RANGES);
}
