/**
 * Delivers a participant's messages to its webhook, one at a time and in
 * order, retrying with exponential backoff; a message given up on is handed
 * to `onGiveUp` (the hub answers its sender with a `failure`).
 */
import type { AclMessage } from "../acl/mod.ts";

/** Where and how hard to deliver. */
export interface WebhookOptions {
  url: string;
  /** Tries per message, the first included (default 5). */
  maxAttempts?: number;
  /** Wait before the first retry, doubled each time (default 200 ms). */
  backoffMs?: number;
  /** Per-try time limit (default 10 s). */
  timeoutMs?: number;
}

/** One participant's webhook delivery loop. */
export class WebhookSender {
  readonly options: Required<WebhookOptions>;
  readonly #queue: AclMessage[] = [];
  readonly #onGiveUp: (message: AclMessage, reason: string) => void;
  readonly #closed = new AbortController();
  #running: Promise<void> | null = null;
  /** Deliveries made, retries made, messages given up on. */
  readonly stats = { delivered: 0, retries: 0, failed: 0 };

  constructor(options: WebhookOptions, onGiveUp: (message: AclMessage, reason: string) => void) {
    this.options = { maxAttempts: 5, backoffMs: 200, timeoutMs: 10_000, ...options };
    this.#onGiveUp = onGiveUp;
  }

  get pending(): number {
    return this.#queue.length;
  }

  push(message: AclMessage): void {
    this.#queue.push(message);
    this.#running ??= this.#drain().finally(() => this.#running = null);
  }

  /** Stops retrying; what is still queued is given up on. */
  async close(): Promise<void> {
    this.#closed.abort();
    await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed.signal.aborted) {
      const message = this.#queue[0]!;
      const error = await this.#deliver(message);
      this.#queue.shift();
      if (error === null) this.stats.delivered++;
      else {
        this.stats.failed++;
        this.#onGiveUp(message, error);
      }
    }
    for (const message of this.#queue.splice(0)) {
      this.#onGiveUp(message, "the node shut down before the webhook took it");
    }
  }

  /** Returns null once delivered, or why it was given up. */
  async #deliver(message: AclMessage): Promise<string | null> {
    const { url, maxAttempts, backoffMs, timeoutMs } = this.options;
    const body = JSON.stringify(message);
    let last = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        if (!await this.#sleep(backoffMs * 2 ** (attempt - 2))) return "shut down while retrying";
      }
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.any([this.#closed.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await res.body?.cancel();
        if (res.ok) return null;
        last = `HTTP ${res.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    return `webhook ${url} did not take the message after ${maxAttempts} attempts (last: ${last})`;
  }

  #sleep(ms: number): Promise<boolean> {
    const signal = this.#closed.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
