/**
 * The `scale` setting (issue 21): how long an idle agent keeps its instance
 * before it is passivated, and which agents get series of their own on
 * `/metrics` (an allowlist, plus the N busiest), so the node's cost follows
 * its traffic rather than its number of agents.
 */

/** Activation on demand and bounded metrics. */
export interface ScaleConfig {
  /** An agent idle this long (no message in its mailbox or in flight) loses its instance; 0: never. */
  passivateAfterMs: number;
  /** Agents that always get per-agent series on `/metrics`. */
  metricsAgents: string[];
  /** The N busiest active agents also get per-agent series (0: none). */
  metricsTopN: number;
  /**
   * Most WASM instances alive at once; past it a passivated agent's message passivates the
   * longest-idle agent or is refused (`instance_limit`). 0: derived from vm.max_map_count.
   */
  maxLiveInstances: number;
}

/** Defaults: passivate after a minute idle; the 10 busiest agents get their own series. */
export function defaultScaleConfig(): ScaleConfig {
  return { passivateAfterMs: 60_000, metricsAgents: [], metricsTopN: 10, maxLiveInstances: 0 };
}

/** Environment variables of the `scale` setting, by field. */
const _ENV: Record<string, keyof ScaleConfig> = {
  CAXTON_PASSIVATE_AFTER_MS: "passivateAfterMs",
  CAXTON_METRICS_AGENTS: "metricsAgents",
  CAXTON_METRICS_TOP_N: "metricsTopN",
  CAXTON_MAX_LIVE_INSTANCES: "maxLiveInstances",
};

/** The `scale` fields set in `env`, or undefined when none is. */
export function scaleFromEnv(
  env: Record<string, string | undefined>,
): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(_ENV)) {
    if (env[name] !== undefined) fields[field] = env[name];
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

function _integer(value: unknown, field: string, max: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > max) {
    throw new TypeError(
      `scale.${field}=${JSON.stringify(value)}: expected an integer from 0 to ${max}`,
    );
  }
  return n;
}

/** Reads `value` (the config file's object, or fields from the environment) over `current`. */
export function parseScaleConfig(value: unknown, current: ScaleConfig): ScaleConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `scale=${
        JSON.stringify(value)
      }: expected { passivateAfterMs?, metricsAgents?, metricsTopN?, maxLiveInstances? }`,
    );
  }
  const next = { ...current };
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (field === undefined) continue;
    switch (key) {
      case "passivateAfterMs":
        next.passivateAfterMs = _integer(field, key, 7 * 86_400_000);
        break;
      case "metricsTopN":
        next.metricsTopN = _integer(field, key, 1_000);
        break;
      case "maxLiveInstances":
        next.maxLiveInstances = _integer(field, key, 10_000_000);
        break;
      case "metricsAgents": {
        const names = typeof field === "string"
          ? field.split(",").map((s) => s.trim()).filter((s) => s !== "")
          : field;
        if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
          throw new TypeError(
            `scale.metricsAgents=${
              JSON.stringify(field)
            }: expected agent names (comma-separated in the environment)`,
          );
        }
        next.metricsAgents = names;
        break;
      }
      default:
        throw new TypeError(
          `scale.${key} is unknown; known fields are ${Object.values(_ENV).join(", ")}`,
        );
    }
  }
  return next;
}
