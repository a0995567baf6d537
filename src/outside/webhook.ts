/**
 * Delivers a participant's messages to its webhook, one at a time and in
 * order, retrying with exponential backoff; a message given up on is handed
 * to `onGiveUp` (the hub answers its sender with a `failure`). Every hop, the
 * first and each redirect, goes only to addresses the guard allows.
 */
import type { AclMessage } from "../acl/mod.ts";
import { AddressGuard } from "./address_guard.ts";
import { WebhookAddressRefusedError } from "./errors.ts";
import { postOnce } from "./webhook_post.ts";
import type { CircuitBreaker } from "../resilience/mod.ts";

/** The longest wait between two tries. */
const _MAX_BACKOFF_MS = 3_600_000;
/** Redirects followed per try; past that the try fails. */
const _MAX_REDIRECTS = 5;
const _REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why a message was given up: the code its sender's `failure` carries, and the reason. */
export interface GiveUp {
  code: "agent_unavailable" | "webhook_address_refused" | "circuit_open";
  reason: string;
}

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
  readonly #onGiveUp: (message: AclMessage, why: GiveUp) => void;
  readonly #guard: AddressGuard;
  readonly #breaker: CircuitBreaker | null;
  readonly #closed = new AbortController();
  #running: Promise<void> | null = null;
  /** Deliveries made, retries made, messages given up on. */
  readonly stats = { delivered: 0, retries: 0, failed: 0 };

  constructor(
    options: WebhookOptions,
    onGiveUp: (message: AclMessage, why: GiveUp) => void,
    guard: AddressGuard = new AddressGuard(),
    breaker: CircuitBreaker | null = null,
  ) {
    this.#breaker = breaker;
    this.options = { maxAttempts: 5, backoffMs: 200, timeoutMs: 10_000, ...options };
    this.#onGiveUp = onGiveUp;
    this.#guard = guard;
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
      this.#onGiveUp(message, {
        code: "agent_unavailable",
        reason: "the node shut down before the webhook took it",
      });
    }
  }

  /** Returns null once delivered, or why it was given up. */
  async #deliver(message: AclMessage): Promise<GiveUp | null> {
    const { url, maxAttempts, backoffMs } = this.options;
    const body = JSON.stringify(message);
    let last = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        // Doubled each time, at most an hour: a longer timer would fire at once.
        if (!await this.#sleep(Math.min(backoffMs * 2 ** (attempt - 2), _MAX_BACKOFF_MS))) {
          return { code: "agent_unavailable", reason: "shut down while retrying" };
        }
      }
      // An open breaker fails the message at once instead of waiting on a dead endpoint.
      if (this.#breaker && !this.#breaker.allow()) {
        return {
          code: "circuit_open",
          reason: `webhook ${url} is failing: its circuit is open for ${
            Math.ceil(this.#breaker.retryInMs / 1000)
          } s more (last: ${last || "earlier failures"})`,
        };
      }
      try {
        const status = await this.#post(body);
        if (status >= 200 && status < 300) {
          this.#breaker?.succeeded();
          return null;
        }
        last = `HTTP ${status}`;
      } catch (error) {
        // A refused address stays refused: no retry.
        if (error instanceof WebhookAddressRefusedError) {
          return { code: "webhook_address_refused", reason: error.message };
        }
        last = (error as Error).message;
      }
      this.#breaker?.failed();
    }
    return {
      code: "agent_unavailable",
      reason:
        `webhook ${url} did not take the message after ${maxAttempts} attempts (last: ${last})`,
    };
  }

  /**
   * One try: POSTs to the webhook and follows redirects (the same POST, body
   * included, since a GET would not carry the message), each hop checked by
   * the guard. Resolves with the final status.
   */
  async #post(body: string): Promise<number> {
    const signal = AbortSignal.any([
      this.#closed.signal,
      AbortSignal.timeout(this.options.timeoutMs),
    ]);
    let url = new URL(this.options.url);
    for (let hop = 0;; hop++) {
      const { status, location } = await postOnce(url, body, { guard: this.#guard, signal });
      if (!_REDIRECTS.has(status) || location === null) return status;
      if (hop === _MAX_REDIRECTS) throw new Error(`more than ${_MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new Error(`redirected to "${url.href}", which is not an http(s) URL`);
      }
    }
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
