/**
 * Agents as services: a request sent on behalf of an HTTP client, answered by
 * the agent's reply. The broker is one outside participant (`ext:_api`) that
 * matches replies to waiting requests by `inReplyTo`, then by conversation.
 */
import type { AclMessage, Performative } from "../acl/mod.ts";
import type { FailureCode, Router } from "../router/mod.ts";
import { Deadlines } from "./deadlines.ts";
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
  readonly agent: string;
  /** The request as sent (a failure for it names it, in its trace). */
  readonly message: AclMessage;
  readonly replyWith: string;
  readonly conversationId: string;
  readonly timeoutMs: number;
  readonly resolve: (message: AclMessage) => void;
  readonly reject: (error: Error) => void;
  readonly onMessage?: (message: AclMessage) => void;
  readonly signal?: AbortSignal;
  onAbort?: () => void;
}

/** Sends requests to agents and resolves with their final answers. */
export class RequestBroker {
  readonly #router: Router;
  readonly #byReplyWith = new Map<string, _Waiter>();
  readonly #byConversation = new Map<string, _Waiter>();
  readonly #refusals = new RefusalCapture();
  /** One timer per distinct timeout, not one per request. */
  readonly #deadlines = new Deadlines<_Waiter>((waiter) => {
    this.#forget(waiter);
    waiter.reject(new RequestTimeoutError(waiter.agent, waiter.timeoutMs));
  });
  readonly #registration: Disposable;
  #closed = false;
  /** replyWith ids: unique per broker by the counter, across restarts by the random prefix. */
  readonly #replyPrefix = `${crypto.randomUUID()}-`;
  #sent = 0;
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
    const replyWith = `${this.#replyPrefix}${++this.#sent}`;
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
    const waiter: _Waiter = {
      agent,
      message: full,
      replyWith,
      conversationId,
      timeoutMs,
      resolve,
      reject,
      onMessage,
      signal,
    };
    if (signal) {
      waiter.onAbort = () => {
        this.#end(waiter);
        reject(signal.reason ?? new Error("aborted"));
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.#deadlines.add(waiter, timeoutMs);
    this.#byReplyWith.set(replyWith, waiter);
    if (!this.#byConversation.has(conversationId)) this.#byConversation.set(conversationId, waiter);
    const refused = this.#refusals.during(() => this.#router.route(full));
    if (refused.length > 0) {
      this.#end(waiter);
      reject(new DeliveryRefusedError(refused[0]!));
    }
    return promise;
  }

  /**
   * Answers every waiting request whose agent `lost(agent)` names with a
   * `failure` `code` from that agent, as the router answers an undeliverable
   * message: used when the agent's node is lost with the request in it.
   */
  failWaiting(
    lost: (agent: string) => boolean,
    code: FailureCode,
    reason: (agent: string) => string,
  ): void {
    for (const waiter of [...this.#byReplyWith.values()]) {
      if (lost(waiter.agent)) {
        this.#router.fail(waiter.message, waiter.agent, code, reason(waiter.agent));
      }
    }
  }

  /** Rejects every waiting request and leaves the router. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#registration[Symbol.dispose]();
    for (const waiter of [...this.#byReplyWith.values()]) {
      this.#end(waiter);
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
      this.#end(waiter);
      waiter.resolve(message);
    }
  }

  /** Forgets `waiter` and stops its clock; the caller settles its promise. */
  #end(waiter: _Waiter): void {
    this.#deadlines.delete(waiter, waiter.timeoutMs);
    this.#forget(waiter);
  }

  #forget(waiter: _Waiter): void {
    if (waiter.onAbort) waiter.signal!.removeEventListener("abort", waiter.onAbort);
    this.#byReplyWith.delete(waiter.replyWith);
    if (this.#byConversation.get(waiter.conversationId) === waiter) {
      this.#byConversation.delete(waiter.conversationId);
    }
  }
}
