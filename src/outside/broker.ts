/**
 * Agents as services: a request sent on behalf of an HTTP client, answered by
 * the agent's reply. The broker is one outside participant (`ext:_api`) that
 * matches replies to waiting requests by `inReplyTo`, then by conversation.
 */
import type { AclMessage, Performative } from "../acl/mod.ts";
import type { Router } from "../router/mod.ts";
import { RefusalCapture } from "./failures.ts";
import { ClosedError, DeliveryRefusedError, RequestTimeoutError } from "./errors.ts";

/** The broker's address; `_` keeps it out of the names users may register. */
const BROKER_ADDRESS = "ext:_api";

/** Answers that end a request; anything else (agree, propose…) is progress. */
const _FINAL: ReadonlySet<Performative> = new Set<Performative>([
  "inform",
  "inform-if",
  "inform-ref",
  "failure",
  "refuse",
  "not-understood",
  "confirm",
  "disconfirm",
]);

/** Options of one request. */
export interface RequestOptions {
  timeoutMs?: number;
  /** Receives every message of the conversation, progress included (streaming). */
  onMessage?: (message: AclMessage) => void;
  signal?: AbortSignal;
}

interface _Waiter {
  replyWith: string;
  conversationId: string;
  resolve: (message: AclMessage) => void;
  reject: (error: Error) => void;
  onMessage?: (message: AclMessage) => void;
}

/** Sends requests to agents and resolves with their final answers. */
export class RequestBroker {
  readonly #router: Router;
  readonly #byReplyWith = new Map<string, _Waiter>();
  readonly #byConversation = new Map<string, _Waiter>();
  readonly #refusals = new RefusalCapture();
  readonly #registration: Disposable;
  #closed = false;
  /** Replies that matched no waiting request (late after a timeout). */
  unmatched = 0;

  constructor(router: Router) {
    this.#router = router;
    this.#registration = router.registerExternal(BROKER_ADDRESS, (m) => this.#receive(m));
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.#byReplyWith.size;
  }

  /**
   * Sends `message` (performative `request` unless given) to `agent` and
   * resolves with its final answer. Rejects with {@linkcode DeliveryRefusedError}
   * when it cannot be delivered and {@linkcode RequestTimeoutError} after `timeoutMs`.
   */
  request(
    agent: string,
    message: Partial<Omit<AclMessage, "sender" | "receiver">> = {},
    options: RequestOptions = {},
  ): Promise<AclMessage> {
    if (this.#closed) return Promise.reject(new ClosedError());
    const { timeoutMs = 30_000, onMessage, signal } = options;
    const replyWith = crypto.randomUUID();
    const conversationId = message.conversationId ?? crypto.randomUUID();
    const full: AclMessage = {
      performative: "request",
      ...message,
      sender: BROKER_ADDRESS,
      receiver: [agent],
      replyWith,
      conversationId,
    };
    const { promise, resolve, reject } = Promise.withResolvers<AclMessage>();
    const timer = setTimeout(() => {
      this.#forget(waiter);
      reject(new RequestTimeoutError(agent, timeoutMs));
    }, timeoutMs);
    const onAbort = () => {
      this.#forget(waiter);
      reject(signal!.reason ?? new Error("aborted"));
    };
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const waiter: _Waiter = {
      replyWith,
      conversationId,
      resolve: (m) => {
        settle();
        resolve(m);
      },
      reject: (e) => {
        settle();
        reject(e);
      },
      onMessage,
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#byReplyWith.set(replyWith, waiter);
    if (!this.#byConversation.has(conversationId)) this.#byConversation.set(conversationId, waiter);
    const refused = this.#refusals.during(() => this.#router.route(full));
    if (refused.length > 0) {
      this.#forget(waiter);
      waiter.reject(new DeliveryRefusedError(refused[0]!));
    }
    return promise;
  }

  /** Rejects every waiting request and leaves the router. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#registration[Symbol.dispose]();
    for (const waiter of [...this.#byReplyWith.values()]) {
      this.#forget(waiter);
      waiter.reject(new ClosedError());
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #receive(message: AclMessage): void {
    if (this.#refusals.take(message)) return;
    const waiter = (message.inReplyTo && this.#byReplyWith.get(message.inReplyTo)) ||
      (message.conversationId && this.#byConversation.get(message.conversationId));
    if (!waiter) {
      this.unmatched++;
      return;
    }
    waiter.onMessage?.(message);
    if (_FINAL.has(message.performative)) {
      this.#forget(waiter);
      waiter.resolve(message);
    }
  }

  #forget(waiter: _Waiter): void {
    this.#byReplyWith.delete(waiter.replyWith);
    if (this.#byConversation.get(waiter.conversationId) === waiter) {
      this.#byConversation.delete(waiter.conversationId);
    }
  }
}
