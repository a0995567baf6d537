/**
 * A per-agent mailbox: a bounded FIFO in front of the agent's instance, with
 * a cap on messages in flight so it can be paused and drained (hot reload,
 * stop) without losing or reordering anything.
 */
import type { AclMessage } from "../acl/mod.ts";

/** A message waiting for, or in, delivery. */
export interface Envelope {
  message: AclMessage;
  /** The JSON text the agent receives. */
  text: string;
  /** Position in the durable message log, when the router logged this delivery. */
  logId?: number;
  /** True for a `failure` the platform wrote about an undeliverable message. */
  platformFailure?: boolean;
  /** When the router accepted it (ms, performance.timeOrigin-based); set with telemetry on. */
  routedAt?: number;
}

/** Raised when a mailbox is full: the sender should retry later. */
export class MailboxFullError extends Error {
  readonly code = "mailbox_full";
  constructor(readonly agent: string, readonly capacity: number) {
    super(
      `Cannot deliver to "${agent}": its mailbox is full (${capacity} messages); retry later`,
    );
    this.name = "MailboxFullError";
  }
}

/** Options of {@linkcode Mailbox}. */
export interface MailboxOptions {
  capacity?: number;
  maxInFlight?: number;
  /**
   * Told when the mailbox fills up (true) and when it has drained to half its
   * capacity again (false), so senders can be refused before they send.
   */
  onPressure?: (congested: boolean) => void;
}

/** The mailbox of one agent. `sink` hands a message to the current instance. */
export class Mailbox {
  readonly agent: string;
  readonly capacity: number;
  readonly #maxInFlight: number;
  readonly #queue: Envelope[] = [];
  #head = 0;
  readonly #inFlight = new Map<number, Envelope>();
  #nextSeq = 1;
  #sink: ((seq: number, envelope: Envelope) => boolean) | null = null;
  #idleWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #congested = false;
  #accepted = 0;
  #pumped = 0;
  readonly #onPressure: ((congested: boolean) => void) | undefined;

  constructor(agent: string, options: MailboxOptions = {}) {
    this.agent = agent;
    this.capacity = options.capacity ?? 10_000;
    this.#maxInFlight = options.maxInFlight ?? 64;
    this.#onPressure = options.onPressure;
  }

  /** Messages accepted since the mailbox was made. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Messages that left the queue (handed to an instance, or taken) since the mailbox was made. */
  get pumped(): number {
    return this.#pumped;
  }

  /** True from the moment the mailbox is full until it drains to half its capacity. */
  get congested(): boolean {
    return this.#congested;
  }

  /** Messages waiting plus in flight. */
  get depth(): number {
    return this.#queue.length - this.#head + this.#inFlight.size;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Accepts a message or throws {@linkcode MailboxFullError}. */
  enqueue(envelope: Envelope): void {
    if (this.depth >= this.capacity) throw new MailboxFullError(this.agent, this.capacity);
    this.#queue.push(envelope);
    this.#accepted++;
    this.#pump();
    if (!this.#congested && this.depth >= this.capacity) this.#setCongested(true);
  }

  /** Starts delivering to `sink` (an instance); null pauses delivery. */
  connect(sink: ((seq: number, envelope: Envelope) => boolean) | null): void {
    this.#sink = sink;
    this.#pump();
  }

  /** Marks a delivery done; returns its envelope. */
  complete(seq: number): Envelope | undefined {
    const envelope = this.#inFlight.get(seq);
    if (!envelope) return undefined;
    this.#inFlight.delete(seq);
    this.#pump();
    if (this.#inFlight.size === 0) this.#wakeIdle();
    this.#relieve();
    return envelope;
  }

  /** Resolves when nothing is in flight (queued messages may remain). */
  settled(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Resolves when the mailbox is empty: queue and in-flight both drained. Woken
   * by what empties it, never by polling: with messages queued and none in
   * flight (an agent activating) a `settled()` loop would spin on resolved
   * promises and starve the event loop that brings the instance.
   */
  drained(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Takes every in-flight message (their instance is gone), oldest first. */
  takeInFlight(): Envelope[] {
    const reclaimed = [...this.#inFlight.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    this.#inFlight.clear();
    this.#wakeIdle();
    this.#relieve();
    return reclaimed;
  }

  /** Removes every message, queued and in flight (the agent is gone or failed). */
  takeAll(): Envelope[] {
    const all = [...this.#inFlight.values(), ...this.#queue.slice(this.#head)];
    this.#pumped += this.#queue.length - this.#head; // they left the queue too
    this.#inFlight.clear();
    this.#queue.length = 0;
    this.#head = 0;
    this.#wakeIdle();
    this.#relieve();
    return all;
  }

  #relieve(): void {
    if (this.#congested && this.depth <= this.capacity >> 1) this.#setCongested(false);
  }

  #setCongested(congested: boolean): void {
    this.#congested = congested;
    this.#onPressure?.(congested);
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
    if (this.depth === 0 && this.#drainWaiters.length > 0) {
      const drained = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of drained) wake();
    }
  }

  #pump(): void {
    const sink = this.#sink;
    if (!sink) return;
    while (this.#head < this.#queue.length && this.#inFlight.size < this.#maxInFlight) {
      const envelope = this.#queue[this.#head]!;
      const seq = this.#nextSeq++;
      if (!sink(seq, envelope)) return;
      this.#queue[this.#head++] = undefined as unknown as Envelope;
      this.#inFlight.set(seq, envelope);
      this.#pumped++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
