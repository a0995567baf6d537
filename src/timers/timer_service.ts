/**
 * Fires durable timers. Pending timers live only in SQLite (indexed by due
 * time); the node holds one JS timer, armed for the earliest due time, and on
 * each wake-up fires what is due in batches. So memory does not grow with the
 * number of pending timers. A timer fires through the router (so the agent is
 * reached the way any message reaches it), and in the same transaction its row
 * is removed (or moved to its next time) and the message log is written: after
 * a crash a timer has either not fired (it fires, late, at start) or is in the
 * log as a delivery (redelivered if unfinished) — at least once, never lost.
 */
import type { Router } from "../router/mod.ts";
import type { TimerChange } from "../runtime/mod.ts";
import type { MessageWriter, Store, TimerRecord } from "../store/mod.ts";
import { nextDue, timerMessage } from "./timer_message.ts";

/** Pending timers one agent may have (default). */
export const DEFAULT_TIMERS_PER_AGENT = 10_000;
/** Timers fired per transaction; more due wait for the next turn of the event loop. */
const _BATCH = 500;
/** Longest delay or period, ms (one year). */
export const MAX_TIMER_MS = 31_536_000_000;

/** Raised when an agent is at its limit of pending timers. */
export class TimerLimitError extends Error {
  readonly code = "timer_limit";
  constructor(readonly agent: string, readonly limit: number) {
    super(
      `Cannot set a timer for agent "${agent}": it has ${limit} pending, the most an agent may have; cancel some or let them fire`,
    );
    this.name = "TimerLimitError";
  }
}

/** Options of {@linkcode TimerService}. */
export interface TimerServiceOptions {
  /** The message log, written in the transaction that fires timers. */
  log?: Pick<MessageWriter, "flushSync">;
  maxPerAgent?: number;
  /** Told of each timer an agent set past its limit (the agent is sent a failure). */
  onRefused?: (agent: string, error: TimerLimitError) => void;
}

/** A new reminder, from the API. */
export interface NewTimer {
  delayMs: number;
  everyMs?: number;
  payload?: string;
}

/** The node's timers: what agents set, what the API creates, and their firing. */
export class TimerService {
  readonly #store: Store;
  readonly #router: Router;
  readonly #options: TimerServiceOptions;
  readonly #maxPerAgent: number;
  #armed: ReturnType<typeof setTimeout> | undefined;
  /** When the armed JS timer fires (ms since epoch); Infinity when none is armed. */
  #armedFor = Infinity;
  #lastApiId = 0;
  /** Pending timers per agent id, counted once and then kept (see #full). */
  readonly #pending = new Map<number, number>();
  #closed = false;

  constructor(store: Store, router: Router, options: TimerServiceOptions = {}) {
    this.#store = store;
    this.#router = router;
    this.#options = options;
    this.#maxPerAgent = options.maxPerAgent ?? DEFAULT_TIMERS_PER_AGENT;
  }

  /** Arms the wake-up for what is pending (timers due during downtime fire at once). */
  start(): this {
    this.#arm();
    return this;
  }

  /**
   * Writes the timers an agent set and cancelled while handling a message.
   * Call inside the transaction that commits the message's state; then
   * {@linkcode wake}. Returns the timers refused over the agent's limit.
   */
  apply(agentId: number, agent: string, changes: readonly TimerChange[], now = Date.now()): number {
    const timers = this.#store.timers;
    let refused = 0;
    for (const change of changes) {
      if (change.kind === "cancel") {
        if (timers.remove(agentId, change.id)) this.#counted(agentId, -1);
        continue;
      }
      if (this.#full(agentId)) {
        refused++;
        this.#options.onRefused?.(agent, new TimerLimitError(agent, this.#maxPerAgent));
        continue;
      }
      const added = timers.add({
        agentId,
        id: change.id,
        dueAt: now + change.delayMs,
        everyMs: null,
        payload: change.payload,
        createdAt: now,
      });
      if (added) this.#counted(agentId, 1);
    }
    return refused;
  }

  /**
   * Whether the agent is at its limit. Counts are kept in memory (a COUNT per
   * timer set would cost O(pending)); one may run high (timers removed with
   * their agent), never low, so at the limit it is counted again from the store.
   */
  #full(agentId: number): boolean {
    let pending = this.#pending.get(agentId);
    if (pending === undefined || pending >= this.#maxPerAgent) {
      pending = this.#store.timers.count(agentId);
      this.#pending.set(agentId, pending);
    }
    return pending >= this.#maxPerAgent;
  }

  #counted(agentId: number, delta: number): void {
    const pending = this.#pending.get(agentId);
    if (pending !== undefined) this.#pending.set(agentId, Math.max(0, pending + delta));
  }

  /** Creates a reminder for an agent (one-shot, or periodic with `everyMs`). */
  create(agentId: number, agent: string, timer: NewTimer): TimerRecord {
    const timers = this.#store.timers;
    if (this.#full(agentId)) throw new TimerLimitError(agent, this.#maxPerAgent);
    const now = Date.now();
    const record: TimerRecord = {
      agentId,
      id: 0,
      dueAt: now + timer.delayMs,
      everyMs: timer.everyMs ?? null,
      payload: timer.payload ?? "",
      createdAt: now,
    };
    // Ids as agents' are made (ms × 1000 + n); an id the agent already has is skipped.
    do {
      record.id = this.#lastApiId = Math.max(this.#lastApiId + 1, now * 1000);
    } while (!timers.add(record));
    this.#counted(agentId, 1);
    if (record.dueAt < this.#armedFor) this.#arm(record.dueAt);
    return record;
  }

  /** Cancels a pending timer; false when there was none. */
  cancel(agentId: number, id: number): boolean {
    const removed = this.#store.timers.remove(agentId, id);
    if (removed) this.#counted(agentId, -1);
    return removed;
  }

  /** Re-arms after timers were added: an earlier due time than the armed one wakes sooner. */
  wake(): void {
    if (this.#closed) return;
    const earliest = this.#store.timers.earliest();
    if (earliest !== undefined && earliest < this.#armedFor) this.#arm(earliest);
  }

  /** Stops firing (pending timers stay in the store). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#armed);
    this.#armed = undefined;
  }

  #arm(earliest = this.#store.timers.earliest()): void {
    clearTimeout(this.#armed);
    this.#armed = undefined;
    this.#armedFor = Infinity;
    if (this.#closed || earliest === undefined) return;
    this.#armedFor = earliest;
    this.#armed = setTimeout(() => this.#fire(), Math.max(0, earliest - Date.now()));
  }

  #fire(): void {
    this.#armed = undefined;
    this.#armedFor = Infinity;
    if (this.#closed) return;
    const store = this.#store;
    const now = Date.now();
    const due = store.timers.due(now, _BATCH);
    if (due.length > 0) {
      const fired: [agentId: number, id: number][] = [];
      store.transaction(() => {
        for (const timer of due) {
          this.#router.route(timerMessage(timer, now));
          if (timer.everyMs === null) {
            fired.push([timer.agentId, timer.id]);
            this.#counted(timer.agentId, -1);
          } else {
            store.timers.reschedule(
              timer.agentId,
              timer.id,
              nextDue(timer.dueAt, timer.everyMs, now),
            );
          }
        }
        store.timers.removeMany(fired);
        // The deliveries are logged in the transaction that takes the timers off.
        this.#options.log?.flushSync();
      });
    }
    this.#arm(due.length === _BATCH ? now : undefined);
  }
}
