/**
 * The `scheduling` setting (issue 13 item 5): how the node keeps its own
 * thread ahead of agent code, and when `/ready` calls that thread late. The
 * main thread routes, logs, answers HTTP and fires every `?timeout`; agent
 * workers run agent code. A storm keeps a worker busy flat out, and on a
 * node with as many workers as cores the main thread then waits for a core:
 * measured in bench/storm.ts, most of a late timer's delay was spent waiting
 * for the CPU, not working. Agent workers therefore run at a lower priority
 * (a higher nice value) than the main thread.
 */

import { parseIntegerSection, sectionFromEnv } from "./integer_section.ts";

/** Scheduling between the node's thread and agent code. */
export interface SchedulingConfig {
  /**
   * How many nice levels agent worker threads run below the main thread
   * (0–19, Linux): on a busy CPU the node's routing, HTTP and timers come
   * first and agent code takes the rest; an idle core still runs agent code
   * at full speed. 0: the same priority.
   */
  agentWorkerNice: number;
  /**
   * `/ready` says `degraded` when the main thread's timers run this much
   * later than asked (ms) at every look for `saturationMs`. 0: not watched.
   */
  eventLoopMaxLagMs: number;
}

/**
 * Defaults: agent workers at the main thread's priority (opt in: on a host
 * shared with other busy processes a nice worker gets a small share of the
 * CPU, weight 110 against 1,024 at nice 10, and the watchdog reads a long
 * silence as stuck); degraded past 50 ms of event-loop lag.
 */
export function defaultSchedulingConfig(): SchedulingConfig {
  return { agentWorkerNice: 0, eventLoopMaxLagMs: 50 };
}

/** Environment variables of the `scheduling` setting, by field. */
const _ENV: Record<string, keyof SchedulingConfig> = {
  CAXTON_AGENT_WORKER_NICE: "agentWorkerNice",
  CAXTON_EVENT_LOOP_MAX_LAG_MS: "eventLoopMaxLagMs",
};

/** The range of each field. */
const _RANGES: Record<keyof SchedulingConfig, readonly [number, number]> = {
  agentWorkerNice: [0, 19],
  eventLoopMaxLagMs: [0, 60_000],
};

/** The `scheduling` fields set in `env`, or undefined when none is. */
export function schedulingFromEnv(
  env: Record<string, string | undefined>,
): Record<string, unknown> | undefined {
  return sectionFromEnv(env, _ENV);
}

/** Reads `value` (the config file's object, or fields from the environment) over `current`. */
export function parseSchedulingConfig(value: unknown, current: SchedulingConfig): SchedulingConfig {
  return parseIntegerSection("scheduling", value, current, _RANGES);
}
