/**
 * What a due timer becomes: an `inform` from `caxton` to its agent, in the
 * conversation `timer:<id>`, ontology `caxton-timer` (docs/TIMERS.md) — and,
 * for a periodic one, when it is due next.
 */
import type { AclMessage } from "../acl/mod.ts";
import type { DueTimer } from "../store/mod.ts";

/** The ontology of timer messages. */
export const TIMER_ONTOLOGY = "caxton-timer";
/** A timer that fires this much after its due time (or more) is marked `late`. */
export const LATE_MS = 1_000;

/** The content of a timer message. */
export interface TimerFired {
  timer: number;
  payload: string;
  dueAt: string;
  firedAt: string;
  lateMs: number;
  late: boolean;
  everyMs?: number;
}

/** The message a timer due at `timer.dueAt` sends when it fires at `now`. */
export function timerMessage(timer: DueTimer, now: number): AclMessage {
  const lateMs = Math.max(0, now - timer.dueAt);
  const content: TimerFired = {
    timer: timer.id,
    payload: timer.payload,
    dueAt: new Date(timer.dueAt).toISOString(),
    firedAt: new Date(now).toISOString(),
    lateMs,
    late: lateMs >= LATE_MS,
  };
  if (timer.everyMs !== null) content.everyMs = timer.everyMs;
  return {
    performative: "inform",
    sender: "caxton",
    receiver: [timer.agent],
    content,
    ontology: TIMER_ONTOLOGY,
    conversationId: `timer:${timer.id}`,
  };
}

/**
 * When a periodic timer due at `dueAt` is due next, having fired at `now`:
 * the next point of its schedule after `now`. After downtime that skipped
 * several periods, the timer fired once (late) and resumes its schedule: the
 * missed periods do not pile up.
 */
export function nextDue(dueAt: number, everyMs: number, now: number): number {
  const next = dueAt + everyMs;
  if (next > now) return next;
  return now + everyMs - ((now - dueAt) % everyMs);
}
