/**
 * Addressing and delivery between participants on this node: agents by name,
 * outside participants under `ext:`. A message that cannot be delivered comes
 * back to its sender as a FIPA `failure` with the reason; one that cannot even
 * do that is a dead letter, counted and reported, never dropped in silence.
 */
import { type AclMessage, nextTraceparent } from "../acl/mod.ts";
import type { LoggedMessage, MessageWriter } from "../store/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import { type Envelope, MailboxFullError } from "./mailbox.ts";
import {
  type DeadLetter,
  type Endpoint,
  type FailureCode,
  InstanceLimitError,
  MessageTooLargeError,
} from "./delivery.ts";
import { ReplyDeadlines } from "./reply_deadlines.ts";
import { NodeUnreachableError, type RemoteRoutes } from "./remote.ts";
import { CAPABILITY_PREFIX, type CapabilityRoutes } from "./capability_routes.ts";

/** Options of {@linkcode Router}. */
export interface RouterOptions {
  onDeadLetter?: (letter: DeadLetter) => void;
  /**
   * The durable message log. Every delivery to a local participant is logged
   * when accepted and marked when done, so a restart can redeliver the rest.
   */
  log?: MessageWriter;
  /**
   * Tracing on: each routed message is counted and, when its trace is
   * sampled, gets a route span whose id becomes its traceparent's parent-id.
   */
  telemetry?: Telemetry;
}

/** A listener to routed messages; `at` is when (ms, performance.timeOrigin-based). */
export type Tap = (message: AclMessage, at: number) => void;

/** Why nobody took a message: the address spaces say where to look. */
function _unknown(receiver: string): string {
  if (receiver.startsWith("tool:")) {
    return `no MCP tool "${receiver}": "tool:<server>/<tool>" reaches a tool of an MCP server in the node's configuration, and none serves this one`;
  }
  if (receiver.startsWith("ext:")) {
    return `no outside participant "${receiver}" is registered; it must register before it can receive`;
  }
  return `no agent or participant named "${receiver}"`;
}

/** Routes messages to local agents and outside participants. */
export class Router {
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #options: RouterOptions;
  readonly #deadlines = new ReplyDeadlines((original, receiver) =>
    this.fail(
      original,
      receiver,
      "reply_timeout",
      `no reply from "${receiver}" by ${original.replyBy} (reply-by)`,
    )
  );
  #deadLetters = 0;
  readonly #taps = new Set<Tap>();
  /** Taps that want every message (not only protocol conversations). */
  #allTaps = 0;
  #onAllTaps: ((any: boolean) => void) | undefined;
  /** Messages sent while handling a platform failure (see route). */
  readonly #answeringFailure = new WeakSet<AclMessage>();
  /** Cluster seam: where receivers that are not local live (see remote.ts). */
  #remote: RemoteRoutes | undefined;
  /** Directory seam: which agents a `cap:` address stands for (see capability_routes.ts). */
  #capabilities: CapabilityRoutes | undefined;
  /** Agents seam: adopts a stored agent not attached yet; true when it attached one (issue 21). */
  #adopt: ((name: string) => boolean) | undefined;

  constructor(options: RouterOptions = {}) {
    this.#options = options;
  }

  /** Replies awaited under a reply-by deadline. */
  get awaitedReplies(): number {
    return this.#deadlines.pending;
  }

  /** Resolves once the message log has written everything accepted so far. */
  flushLog(): Promise<void> {
    return this.#options.log?.flush() ?? Promise.resolve();
  }

  /** Stops the reply-by clocks. */
  close(): void {
    this.#deadlines.close();
  }

  /** Cluster seam: names not attached here are looked up in `routes` (undefined: none). */
  setRemoteRoutes(routes: RemoteRoutes | undefined): void {
    this.#remote = routes;
  }

  /** Directory seam: `cap:` receivers are resolved by `routes` (undefined: unknown receivers). */
  setCapabilityRoutes(routes: CapabilityRoutes | undefined): void {
    this.#capabilities = routes;
  }

  /** Agents seam: names not attached are offered to `adopt`, which attaches them if it can. */
  setAdopter(adopt: ((name: string) => boolean) | undefined): void {
    this.#adopt = adopt;
  }

  /** A local endpoint, else (clustered) one that carries the message to the receiver's node. */
  #endpointOf(name: string): Endpoint | undefined {
    return this.#local(name) ?? this.#remote?.endpointFor(name);
  }

  /** The endpoint attached for `name`, or that of a stored agent adopted now. */
  #local(name: string): Endpoint | undefined {
    return this.#endpoints.get(name) ??
      (this.#adopt?.(name) ? this.#endpoints.get(name) : undefined);
  }

  /** Makes `name` reachable. */
  attach(name: string, endpoint: Endpoint): void {
    this.#endpoints.set(name, endpoint);
  }

  /** Makes `name` unreachable (messages to it now fail). */
  detach(name: string, endpoint?: Endpoint): void {
    if (!endpoint || this.#endpoints.get(name) === endpoint) this.#endpoints.delete(name);
  }

  /** Registers an outside participant `ext:<name>`; dispose to unregister. */
  registerExternal(name: string, inbox: (message: AclMessage) => void): Disposable {
    if (!name.startsWith("ext:")) {
      throw new TypeError(`Cannot register "${name}": outside participants are named "ext:<name>"`);
    }
    const endpoint: Endpoint = { enqueue: (e) => inbox(e.message) };
    this.attach(name, endpoint);
    return { [Symbol.dispose]: () => this.detach(name, endpoint) };
  }

  /**
   * Calls `listener` with every message the router routes (after delivery)
   * and when (ms, performance.timeOrigin-based), for live tails, monitors and
   * measurement. Scope "protocol" promises the listener only looks at
   * conversations that name an interaction protocol, so workers need not
   * report their other direct deliveries. Returns the function that stops it.
   */
  tap(listener: Tap, options: { scope?: "all" | "protocol" } = {}): () => void {
    const wrapped: Tap = (message, at) => listener(message, at);
    this.#taps.add(wrapped);
    const all = (options.scope ?? "all") === "all";
    if (all && this.#allTaps++ === 0) this.#onAllTaps?.(true);
    return () => {
      if (!this.#taps.delete(wrapped)) return;
      if (all && --this.#allTaps === 0) this.#onAllTaps?.(false);
    };
  }

  /** Told when the first tap that wants every message comes, and when the last goes. */
  onAllTaps(listener: (any: boolean) => void): void {
    this.#onAllTaps = listener;
    if (this.#allTaps > 0) listener(true);
  }

  /**
   * Sees a message a worker delivered directly between its own agents: its
   * reply-by clock, the replies that stop one, and the taps.
   */
  observeDirect(message: AclMessage, at: number): void {
    this.#deadlines.settle(message);
    for (const receiver of message.receiver) this.#deadlines.watch(message, receiver);
    this.#tapAll(message, at);
  }

  /** Tells every tap about a routed message (now, unless `at` says when). */
  #tapAll(message: AclMessage, at?: number): void {
    if (this.#taps.size === 0) return;
    const when = at ?? performance.timeOrigin + performance.now();
    for (const tap of this.#taps) tap(message, when);
  }

  get deadLetters(): number {
    return this.#deadLetters;
  }

  /**
   * Delivers `message` (sender set) to every receiver. Receivers that cannot
   * take it produce a `failure` to the sender. Sets `message.traceparent`:
   * a message sent while handling `cause` continues its trace. Returns how
   * many receivers took it.
   */
  route(message: AclMessage, cause?: Envelope): number {
    // Stamped in place: the message continues its cause's trace, else its caller's. A
    // message an agent sent was stamped by its worker as a child of the cause already.
    // Tracing on: the route span is a child of what the message continues, and its id is the stamp.
    const stamp = this.#options.telemetry?.route(
      message,
      message.traceparent ?? cause?.message.traceparent,
    );
    if (stamp !== undefined) message.traceparent = stamp;
    else if (!cause || message.traceparent === undefined) {
      message.traceparent = nextTraceparent(cause?.message.traceparent ?? message.traceparent);
    }
    const text = JSON.stringify(message);
    // An agent that answers a platform failure with another undeliverable
    // message would otherwise bounce failures forever: that second miss is
    // a dead letter instead.
    if (cause?.platformFailure) this.#answeringFailure.add(message);
    this.#deadlines.settle(message);
    let delivered = 0;
    for (const receiver of message.receiver) {
      const endpoint = this.#endpointOf(receiver);
      if (!endpoint) {
        // Off the hot path: only a receiver that is no endpoint can be a capability.
        if (this.#capabilities && receiver.startsWith(CAPABILITY_PREFIX)) {
          delivered += this.#toProviders(message, text, receiver, this.#capabilities);
          continue;
        }
        this.fail(message, receiver, "unknown_receiver", _unknown(receiver));
        continue;
      }
      if (this.#deliver(endpoint, message, text, receiver)) delivered++;
    }
    this.#tapAll(message);
    return delivered;
  }

  /** Delivers to the agents a `cap:` address stands for; none: `failure` (no_provider). */
  #toProviders(
    message: AclMessage,
    text: string,
    address: string,
    routes: CapabilityRoutes,
  ): number {
    const resolved = routes.resolve(address, message);
    if (typeof resolved === "string") {
      this.fail(message, address, "no_provider", resolved);
      return 0;
    }
    let delivered = 0;
    for (const agent of resolved) {
      const endpoint = this.#endpointOf(agent);
      if (!endpoint) this.fail(message, agent, "unknown_receiver", _unknown(agent));
      else if (this.#deliver(endpoint, message, text, agent)) delivered++;
    }
    return delivered;
  }

  /**
   * Hands one message to one endpoint, logged first when the log is on. A
   * refusal becomes a `failure` to the sender. Returns whether it was taken.
   */
  #deliver(
    endpoint: Endpoint,
    message: AclMessage,
    text: string,
    receiver: string,
    {
      logId = this.#options.log?.append({
        message,
        receiver,
        body: text,
        traceId: message.traceparent?.slice(3, 35),
      }),
      platformFailure,
    }: {
      logId?: number;
      platformFailure?: boolean;
    } = {},
  ): boolean {
    try {
      // Watch first: an outside participant may answer inside enqueue.
      this.#deadlines.watch(message, receiver);
      const envelope: Envelope = platformFailure
        ? { message, text, logId, platformFailure }
        : { message, text, logId };
      if (this.#options.telemetry) envelope.routedAt = performance.timeOrigin + performance.now();
      endpoint.enqueue(envelope);
    } catch (error) {
      const code: FailureCode = error instanceof MailboxFullError
        ? "mailbox_full"
        : error instanceof MessageTooLargeError
        ? "message_too_large"
        : error instanceof InstanceLimitError
        ? "instance_limit"
        : error instanceof NodeUnreachableError
        ? "node_unreachable"
        : "agent_unavailable";
      if (logId !== undefined) this.#options.log!.mark(logId, "failed", (error as Error).message);
      this.fail(message, receiver, code, (error as Error).message);
      return false;
    }
    if (logId !== undefined && !endpoint.reportsOutcome) this.#options.log!.mark(logId, "handled");
    return true;
  }

  /**
   * Logs a delivery a worker made directly between its own agents (log on;
   * src/lifecycle/direct_log.ts) as accepted now. Returns its log position.
   */
  logDirect(receiver: string, text: string, traceparent?: string): number | undefined {
    return this.#options.log?.append({ receiver, body: text, traceId: traceparent?.slice(3, 35) });
  }

  /**
   * Records that a logged delivery is done: handled, or failed with `failure`
   * as the reason. `durableNow` commits the receiver's handled watermark at
   * once, inside the caller's store transaction (the agent state's), instead
   * of with the next group commit.
   */
  complete(
    envelope: Pick<Envelope, "logId">,
    failure: string | null = null,
    options: { durableNow?: boolean } = {},
  ): void {
    const log = this.#options.log;
    if (envelope.logId === undefined || !log) return;
    if (failure === null) log.mark(envelope.logId, "handled");
    else log.mark(envelope.logId, "failed", failure);
    if (options.durableNow) log.flushSync();
  }

  /**
   * Delivers again what the log accepted but no receiver finished before the
   * last stop (at-least-once). Call once agents are restored. Returns how many.
   */
  redeliver(unfinished: readonly LoggedMessage[]): number {
    let redelivered = 0;
    for (const row of unfinished) {
      const endpoint = this.#local(row.receiver);
      if (!endpoint) {
        const reason = `"${row.receiver}" no longer exists after a restart`;
        this.#options.log?.reopen(row.id, row.receiver);
        this.#options.log?.mark(row.id, "failed", reason);
        this.fail(row.message, row.receiver, "unknown_receiver", reason);
        continue;
      }
      this.#options.log?.reopen(row.id, row.receiver);
      if (
        this.#deliver(endpoint, row.message, JSON.stringify(row.message), row.receiver, {
          logId: row.id,
        })
      ) {
        redelivered++;
      }
    }
    return redelivered;
  }

  /** Tells the sender of `original` that `receiver` could not handle it. */
  fail(original: AclMessage, receiver: string, code: FailureCode, reason: string): void {
    const sender = original.sender;
    // This failure is the receiver's answer: no timeout on top of it.
    if (sender && original.replyWith) this.#deadlines.cancel(sender, receiver, original.replyWith);
    // A failure about a failure is not answered again: that way lies a loop.
    if (
      !sender || original.performative === "failure" || this.#answeringFailure.has(original) ||
      !this.#endpointOf(sender)
    ) {
      this.#deadLetter(original, reason, receiver);
      return;
    }
    const failure: AclMessage = {
      performative: "failure",
      sender: receiver,
      receiver: [sender],
      content: { code, reason },
    };
    if (original.conversationId) failure.conversationId = original.conversationId;
    if (original.replyWith) failure.inReplyTo = original.replyWith;
    if (original.protocol) failure.protocol = original.protocol;
    failure.traceparent = this.#options.telemetry?.route(failure, original.traceparent) ??
      nextTraceparent(original.traceparent);
    // Logged like any delivery; if the sender cannot take it, it becomes a dead letter.
    this.#deliver(this.#endpointOf(sender)!, failure, JSON.stringify(failure), sender, {
      platformFailure: true,
    });
    this.#tapAll(failure);
  }

  /** Counts, reports and (log on) records a message nobody could take. */
  #deadLetter(message: AclMessage, reason: string, receiver: string): void {
    this.#deadLetters++;
    const log = this.#options.log;
    if (log) log.mark(log.append({ message, receiver }), "dead", reason);
    this.#options.onDeadLetter?.({ message, reason });
  }
}
