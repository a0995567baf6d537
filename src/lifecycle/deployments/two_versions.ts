/**
 * One mailbox, two instances of one agent (old and new version), one state.
 *
 * The mailbox stays the agent's single FIFO; this sink decides per message
 * which instance takes it (by conversation, see {@linkcode conversationBucket}).
 * Messages go to one instance at a time: when the next message belongs to the
 * other instance, the sink waits until nothing is in flight, then writes into
 * that instance's state cache what the first one stored meanwhile, then
 * delivers. So writes are serialised per message exactly as with one
 * instance, a sender's messages keep their order, and every message leaves
 * the mailbox once, to one instance (nothing lost, nothing handled twice).
 */
import type { Envelope } from "../../router/mod.ts";
import type { Effects, Outcome, WorkerPool } from "../../runtime/mod.ts";
import type { LiveAgent } from "../live_agent.ts";

type _Writes = Effects["stateChanges"];

/** Buckets of the conversation split: a share of 1 % is 100 buckets. */
export const BUCKETS = 10_000;

/**
 * The bucket of a message, by conversation id (FNV-1a), else by sender: a
 * conversation, or a sender that names none, sticks to one version.
 */
export function conversationBucket(envelope: Envelope): number {
  const key = envelope.message.conversationId ?? envelope.message.sender ?? "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/** The sink that splits one mailbox between two instances; see the module doc. */
export class TwoVersions {
  readonly #live: LiveAgent;
  readonly #pool: WorkerPool;
  readonly #old: number;
  readonly #new: number;
  /** Buckets below this go to the new version (0: none, BUCKETS: all). */
  #threshold = 0;
  #current: number;
  readonly #inFlight = new Map<number, number>();
  /** Per instance: writes the other made that it has not seen yet. */
  readonly #unseen = new Map<number, _Writes>();
  readonly #idle = new Map<number, (() => void)[]>();
  /** When a switch began to wait for the other instance's messages (ms), or -1. */
  #waitingSince = -1;
  /** The longest wait of a switch so far (ms). */
  longestSwitchWaitMs = 0;

  constructor(live: LiveAgent, pool: WorkerPool, oldInstance: number, newInstance: number) {
    this.#live = live;
    this.#pool = pool;
    this.#old = oldInstance;
    this.#new = newInstance;
    this.#current = oldInstance;
    for (const id of [oldInstance, newInstance]) {
      this.#inFlight.set(id, 0);
      this.#unseen.set(id, []);
      this.#idle.set(id, []);
    }
    // What the mailbox has in flight now, the old instance took before this sink: its to finish.
    this.#inFlight.set(oldInstance, live.mailbox.inFlight);
  }

  /** The new version's share of conversations, in percent (0..100). */
  set share(percent: number) {
    this.#threshold = Math.round(percent * BUCKETS / 100);
  }

  get share(): number {
    return this.#threshold * 100 / BUCKETS;
  }

  /** The instance that took the latest message (only it can have messages in flight). */
  get current(): number {
    return this.#current;
  }

  /** Whether an outcome is of one of the two instances. */
  has(instanceId: number): boolean {
    return instanceId === this.#old || instanceId === this.#new;
  }

  /** Hands the mailbox to this sink. */
  connect(): void {
    this.#live.mailbox.connect(this.sink);
  }

  readonly sink = (seq: number, envelope: Envelope): boolean => {
    const target = this.#threshold > 0 && conversationBucket(envelope) < this.#threshold
      ? this.#new
      : this.#old;
    if (target !== this.#current) {
      // The other instance still handles messages: wait (the mailbox pumps again on each outcome).
      if (this.#live.mailbox.inFlight > 0) {
        if (this.#waitingSince < 0) this.#waitingSince = performance.now();
        return false;
      }
      if (this.#waitingSince >= 0) {
        this.longestSwitchWaitMs = Math.max(
          this.longestSwitchWaitMs,
          performance.now() - this.#waitingSince,
        );
        this.#waitingSince = -1;
      }
      this.flushTo(target);
      this.#current = target;
    }
    const delivered = this.#pool.deliver(target, envelope.text, {
      seq,
      traceparent: envelope.message.traceparent,
      observe: envelope.message.protocol !== undefined,
      timed: true,
    });
    if (delivered) this.#inFlight.set(target, this.#inFlight.get(target)! + 1);
    return delivered;
  };

  /**
   * Sees an outcome before the manager applies it: the writes go on the other
   * instance's list; an instance left with nothing in flight wakes its waiters.
   */
  observe(outcome: Outcome): void {
    const id = outcome.instanceId;
    if (outcome.seq !== 0) this.#inFlight.set(id, Math.max(0, this.#inFlight.get(id)! - 1));
    if (outcome.stateChanges.length > 0) {
      this.#unseen.get(id === this.#old ? this.#new : this.#old)!.push(...outcome.stateChanges);
    }
    if (this.#inFlight.get(id) === 0) {
      const waiters = this.#idle.get(id)!;
      this.#idle.set(id, []);
      for (const wake of waiters) queueMicrotask(wake);
    }
  }

  /** `instanceId`'s worker was lost: nothing of it is in flight any more (its waiters wake). */
  lost(instanceId: number): void {
    if (!this.has(instanceId)) return;
    this.#inFlight.set(instanceId, 0);
    const waiters = this.#idle.get(instanceId)!;
    this.#idle.set(instanceId, []);
    for (const wake of waiters) queueMicrotask(wake);
  }

  /** Resolves once `instanceId` has nothing in flight (its outcomes applied). */
  idle(instanceId: number): Promise<void> {
    if (this.#inFlight.get(instanceId) === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.get(instanceId)!.push(resolve));
  }

  /** Gives `instanceId` the writes it has not seen (before any later delivery to it). */
  flushTo(instanceId: number): void {
    const writes = this.#unseen.get(instanceId)!;
    if (writes.length === 0) return;
    this.#unseen.set(instanceId, []);
    this.#pool.patchState(instanceId, writes);
  }
}
