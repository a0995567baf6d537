/**
 * Counts the deliveries the router logs, for `/metrics`: wraps the message
 * writer the router logs through, so the count costs one increment and no
 * change to the delivery path. Direct deliveries between agents inside one
 * worker (log off) do not pass through it; live tails use `Router.tap`.
 */
import type { DeliveryStatus, MessageEntry, MessageWriter } from "../store/mod.ts";

/** A {@linkcode MessageWriter} that counts appends. */
export class DeliveryCounter implements MessageWriter {
  readonly #inner: MessageWriter;
  /** Deliveries routed through the main thread since start (one per receiver). */
  counted = 0;

  constructor(inner: MessageWriter) {
    this.#inner = inner;
  }

  get mode(): MessageWriter["mode"] {
    return this.#inner.mode;
  }

  append(entry: MessageEntry): number {
    this.counted++;
    return this.#inner.append(entry);
  }

  mark(id: number, status: "accepted" | "delivered" | "handled"): void;
  mark(id: number, status: "failed" | "dead", reason: string): void;
  mark(id: number, status: DeliveryStatus, reason?: string): void {
    if (status === "failed" || status === "dead") this.#inner.mark(id, status, reason!);
    else this.#inner.mark(id, status);
  }

  reopen(id: number, receiver: string): void {
    this.#inner.reopen(id, receiver);
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  flushSync(): void {
    this.#inner.flushSync();
  }

  close(): void {
    this.#inner.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
