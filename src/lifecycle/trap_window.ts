/** How many traps an agent may take within a window before it is failed. */
import type { LiveAgent } from "./live_agent.ts";

/**
 * Counts one trap of a running agent; returns the failure reason when the
 * agent reached `maxTraps` within `trapWindowMs`, or undefined while it may go on.
 */
export function countTrap(live: LiveAgent, reason: string, now = Date.now()): string | undefined {
  live.counters.traps++;
  const { maxTraps, trapWindowMs } = live.record.limits;
  live.trapTimes = live.trapTimes.filter((t) => now - t < trapWindowMs);
  live.trapTimes.push(now);
  if (live.trapTimes.length < maxTraps || live.record.state !== "running") return undefined;
  return `${live.trapTimes.length} traps within ${trapWindowMs} ms; last: ${reason}`;
}
