/**
 * One outside participant `ext:<name>`: what it receives goes to its webhook,
 * else to its live subscribers (SSE), else into a bounded queue read by long
 * polling. It sends through the router under its own name.
 */
import type { AclMessage } from "../acl/mod.ts";
import { MailboxFullError } from "../router/mod.ts";
import { RefusalCapture } from "./failures.ts";
import { ClosedError, DeliveryRefusedError } from "./errors.ts";
import type { AddressGuard } from "./address_guard.ts";
import { type GiveUp, type WebhookOptions, WebhookSender } from "./webhook.ts";
import type { CircuitBreaker } from "../resilience/mod.ts";

/** How a participant is reached. */
export interface ParticipantOptions {
  webhook?: WebhookOptions;
  /** Messages kept for polling before new ones are refused (default 10,000). */
  capacity?: number;
}

/** What a participant needs from the node. */
export interface ParticipantDeps {
  /** Routes a message (sender set). */
  route: (message: AclMessage) => void;
  /** Answers the sender of a message this participant could not take. */
  giveUp: (message: AclMessage, receiver: string, why: GiveUp) => void;
  /** Which addresses its webhook may reach (default: public ones only). */
  guard?: AddressGuard;
  /** The breaker around its webhook (issue 17); none: calls always go. */
  breaker?: CircuitBreaker;
}

/** An outside participant on this node. */
export class Participant {
  readonly name: string;
  readonly capacity: number;
  readonly webhook: WebhookSender | null;
  readonly #deps: ParticipantDeps;
  readonly #queue: AclMessage[] = [];
  readonly #subscribers = new Set<(message: AclMessage) => void>();
  #pollers: (() => void)[] = [];
  readonly #refusals = new RefusalCapture();
  #closed = false;
  received = 0;
  sent = 0;

  constructor(name: string, deps: ParticipantDeps, options: ParticipantOptions = {}) {
    this.name = name;
    this.#deps = deps;
    this.capacity = options.capacity ?? 10_000;
    this.webhook = options.webhook
      ? new WebhookSender(
        options.webhook,
        (m, why) => deps.giveUp(m, name, why),
        deps.guard,
        deps.breaker,
      )
      : null;
  }

  /** Messages waiting to be polled. */
  get queued(): number {
    return this.#queue.length;
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Long polls waiting for a message now. */
  get pollers(): number {
    return this.#pollers.length;
  }

  /** The router's inbox for this participant. Throws {@linkcode MailboxFullError} when full. */
  receive(message: AclMessage): void {
    if (this.#refusals.take(message)) return;
    if (this.webhook) {
      this.received++;
      this.webhook.push(message);
      return;
    }
    if (this.#subscribers.size > 0) {
      this.received++;
      for (const subscriber of this.#subscribers) subscriber(message);
      return;
    }
    if (this.#queue.length >= this.capacity) throw new MailboxFullError(this.name, this.capacity);
    this.received++;
    this.#queue.push(message);
    const pollers = this.#pollers;
    this.#pollers = [];
    for (const wake of pollers) wake();
  }

  /**
   * Sends `message` as this participant. Throws {@linkcode DeliveryRefusedError}
   * when the router refused it for every receiver.
   */
  send(message: Omit<AclMessage, "sender">): { delivered: number; refused: AclMessage[] } {
    if (this.#closed) throw new ClosedError();
    const full: AclMessage = { ...message, sender: this.name };
    const refused = this.#refusals.during(() => this.#deps.route(full));
    const delivered = full.receiver.length - refused.length;
    if (delivered === 0 && refused.length > 0) throw new DeliveryRefusedError(refused[0]!);
    this.sent++;
    return { delivered, refused };
  }

  /**
   * Takes up to `max` queued messages, waiting up to `waitMs` for the first
   * (long polling). Resolves with none when the wait ends empty or `signal` aborts.
   */
  async take(
    options: { max?: number; waitMs?: number; signal?: AbortSignal } = {},
  ): Promise<AclMessage[]> {
    const { max = 100, waitMs = 0, signal } = options;
    if (this.#queue.length === 0 && waitMs > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          this.#pollers = this.#pollers.filter((p) => p !== done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener("abort", done, { once: true });
        this.#pollers.push(done);
      });
    }
    return this.#queue.splice(0, max);
  }

  /** Streams every message received to `fn`, queued ones first; dispose to stop. */
  subscribe(fn: (message: AclMessage) => void): Disposable {
    for (const message of this.#queue.splice(0)) fn(message);
    this.#subscribers.add(fn);
    return { [Symbol.dispose]: () => this.#subscribers.delete(fn) };
  }

  /** Wakes pollers, stops the webhook; queued messages are answered with failure. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of this.#pollers) wake();
    this.#pollers = [];
    this.#subscribers.clear();
    await this.webhook?.close();
  }

  /** Messages still queued when the participant goes away. */
  drop(): AclMessage[] {
    return this.#queue.splice(0);
  }
}
