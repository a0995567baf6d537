/**
 * @module
 * Durable timers and reminders (docs/TIMERS.md): set by agents (`set_timer`)
 * with the message they handle, or through the API; kept in SQLite; fired as
 * messages to their agent, at least once, across restarts.
 */
export {
  DEFAULT_TIMERS_PER_AGENT,
  MAX_TIMER_MS,
  TimerLimitError,
  TimerService,
} from "./timer_service.ts";
export type { NewTimer, TimerServiceOptions } from "./timer_service.ts";
export { LATE_MS, nextDue, TIMER_ONTOLOGY, timerMessage } from "./timer_message.ts";
export type { TimerFired } from "./timer_message.ts";
