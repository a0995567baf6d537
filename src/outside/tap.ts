/**
 * A window on every delivery the router makes: wraps the message writer the
 * router logs through, so live tails and metrics see each message without a
 * change to the delivery path. Costs one counter per delivery when nobody watches.
 */
import type { AclMessage } from "../acl/mod.ts";
import type { DeliveryStatus, MessageEntry, MessageWriter } from "../store/mod.ts";

/** One delivery as a tail sees it. */
export interface TappedMessage {
  /** Log position. */
  id: number;
  /** Unix epoch milliseconds. */
  at: number;
  receiver: string;
  message: AclMessage;
}

/** A {@linkcode MessageWriter} that reports each append to listeners. */
export class MessageTap implements MessageWriter {
  readonly #inner: MessageWriter;
  readonly #listeners = new Set<(m: TappedMessage) => void>();
  /** Deliveries seen since start. */
  routed = 0;

  constructor(inner: MessageWriter) {
    this.#inner = inner;
  }

  get mode(): MessageWriter["mode"] {
    return this.#inner.mode;
  }

  append(entry: MessageEntry): number {
    const id = this.#inner.append(entry);
    this.routed++;
    if (this.#listeners.size > 0) {
      const tapped = { id, at: Date.now(), receiver: entry.receiver, message: entry.message };
      for (const listener of this.#listeners) listener(tapped);
    }
    return id;
  }

  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  mark(id: number, status: DeliveryStatus, reason?: string): void {
    if (status === "failed" || status === "dead") this.#inner.mark(id, status, reason!);
    else this.#inner.mark(id, status);
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  flushSync(): void {
    this.#inner.flushSync();
  }

  close(): void {
    this.#listeners.clear();
    this.#inner.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Calls `fn` for every delivery from now on; dispose to stop. */
  watch(fn: (m: TappedMessage) => void): Disposable {
    this.#listeners.add(fn);
    return { [Symbol.dispose]: () => this.#listeners.delete(fn) };
  }
}
