/**
 * `reply-by` deadlines: a message that asks for a reply by a time, and gets
 * none from a receiver by then, earns its sender a `failure` with code
 * `reply_timeout` — so no initiator waits forever on a silent participant.
 */
import type { AclMessage } from "../acl/mod.ts";

function _key(initiator: string, receiver: string, replyWith: string): string {
  return `${initiator}\u0000${receiver}\u0000${replyWith}`;
}

/** Watches replies owed by receivers to initiators. */
export class ReplyDeadlines {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #onTimeout: (original: AclMessage, receiver: string) => void;

  constructor(onTimeout: (original: AclMessage, receiver: string) => void) {
    this.#onTimeout = onTimeout;
  }

  /** Starts the clock for a reply from `receiver`, when `message` asks for one by a time. */
  watch(message: AclMessage, receiver: string): void {
    const { sender, replyWith, replyBy } = message;
    if (!sender || !replyWith || !replyBy) return;
    const key = _key(sender, receiver, replyWith);
    clearTimeout(this.#timers.get(key));
    const delay = Math.max(0, Date.parse(replyBy) - Date.now());
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.#onTimeout(message, receiver);
      }, delay),
    );
  }

  /** Stops the clock when `message` answers an awaited one (any performative counts). */
  settle(message: AclMessage): void {
    if (!message.inReplyTo || !message.sender || this.#timers.size === 0) return;
    for (const to of message.receiver) this.cancel(to, message.sender, message.inReplyTo);
  }

  /** Stops the clock for one awaited reply. */
  cancel(initiator: string, receiver: string, replyWith: string): void {
    const key = _key(initiator, receiver, replyWith);
    const timer = this.#timers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(key);
  }

  /** Replies still awaited. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Stops every clock. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
