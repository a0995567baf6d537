/**
 * Direct delivery inside one agent worker: a message from one of the
 * worker's agents to another of its agents is queued here and handled by
 * this thread, without the round trip through the main thread. The main
 * thread stays in charge: it arms, starts and ends direct delivery per agent
 * (only while the agent runs), and still hears of everything it must
 * (outcomes with effects or failures, counts, messages for observers and
 * reply-by deadlines, and, with the message log on, each delivery accepted
 * and done so it is logged: `logging`).
 *
 * Order per sender is kept across the switch: while an agent is armed, its
 * local senders' messages are held here until the main thread says every
 * message they sent it before has been posted (`go`); when direct delivery
 * ends, held messages go back to the main thread in order, queued ones are
 * still handled here first.
 */
import type { DirectNote } from "./worker_protocol.ts";
import { type AclMessage, isSampled, toAclMessage } from "../acl/mod.ts";
import { RunQueue } from "./run_queue.ts";
import { packOpened } from "./delivery_codec.ts";

const _utf8 = new TextEncoder();
/** Conversations whose direct messages are reported for the protocol monitor. */
const _MAX_OBSERVED = 10_000;
/** Reply-by requests awaiting a reply inside this worker. */
const _MAX_AWAITED = 100_000;

/** A message queued for an instance on this worker. */
export interface QueuedDelivery {
  instanceId: number;
  /** 0 for a direct delivery; else the main thread's sequence number. */
  seq: number;
  text: string;
  traceparent: string | undefined;
  /** Report when handling started and ended (a traced delivery). */
  timed?: boolean;
  /** A logged direct delivery's number for its instance (`logging` on). */
  logRef?: number;
  /** A traced direct delivery (`tracing` on): when it was accepted, and the handling that sent it. */
  routedAt?: number;
  routeParent?: string;
}

interface _Route {
  agent: string;
  instanceId: number;
  capacity: number;
  maxMessageBytes: number;
  mode: "hold" | "direct";
  /** Messages held while armed, in order. */
  held: QueuedDelivery[];
  /** Direct deliveries queued and not yet handled. */
  queued: number;
  /** Set when the main thread ended direct delivery; answered once `queued` is 0. */
  endToken: number | null;
  /** Messages to give back to the main thread when the end is reported, in order. */
  bounced: string[];
  /** Their numbers when logged, else 0 (beside `bounced`). */
  refs: number[];
  /** The last number given to a logged delivery to this instance. */
  lastRef: number;
}

/**
 * What the log keeps of a message an agent sent (log on): JSON of the ACL
 * message as the main thread would route it, or undefined when it is not
 * valid ACL (the main thread then answers it with `not-understood`, as it
 * does for every message the log sees). The receiver gets the text as sent.
 */
function _logBody(message: Record<string, unknown>, text: string): string | undefined {
  let acl: AclMessage;
  try {
    acl = toAclMessage(message);
  } catch {
    return undefined;
  }
  // Names given as one string are an array in the ACL message: only then does the JSON differ.
  const same = typeof message.receiver !== "string" && typeof message.replyTo !== "string";
  return same ? text : JSON.stringify(acl);
}

/** What the worker must post about ended routes. */
export interface EndedRoute {
  token: number;
  instanceId: number;
  bounced: string[];
  refs: number[];
}

/** The worker's routing table for its own agents, and its run queue. */
export class DirectRouter {
  readonly #routes = new Map<string, _Route>();
  readonly #byInstance = new Map<number, _Route>();
  /** Routes whose end waits for their queued deliveries; by instance. */
  readonly #ending = new Map<number, _Route>();
  /** The run queue: one FIFO per instance, served round-robin (see run_queue.ts). */
  readonly #queue = new RunQueue();
  readonly #observed = new Set<string>();
  readonly #awaited = new Set<string>();
  #observeAll = false;
  /** The node keeps a message log: every delivery accepted is reported (`opened`, `done`). */
  logging = false;
  /**
   * The node traces: a direct delivery of a sampled trace is timed and reported with its
   * outcome, so the main thread records its route, deliver and handle spans (ids named here).
   */
  tracing = false;
  notes: DirectNote[] = [];
  ended: EndedRoute[] = [];
  /** Logged deliveries accepted since the last report, packed (delivery_codec.ts). */
  opened = "";
  /** Logged deliveries handled with nothing else to report: (instanceId, logRef) pairs. */
  done: number[] = [];

  /** Deliveries waiting. */
  get pending(): number {
    return this.#queue.size;
  }

  set observeAll(all: boolean) {
    this.#observeAll = all;
  }

  /** Appends deliveries from the main thread. */
  enqueue(delivery: QueuedDelivery, observe = false): void {
    this.#queue.push(delivery);
    if (observe) this.#observe(delivery.text);
  }

  /**
   * The next delivery, or undefined: each instance with work takes one turn
   * in rotation. Call {@linkcode handled} after a direct one.
   */
  next(): QueuedDelivery | undefined {
    return this.#queue.shift();
  }

  /** Counts a direct delivery as done; ends its route if that was the last one awaited. */
  handled(delivery: QueuedDelivery): void {
    const route = this.#byInstance.get(delivery.instanceId) ??
      this.#ending.get(delivery.instanceId);
    if (!route) return;
    route.queued--;
    if (route.endToken !== null && route.queued === 0) this.#finishEnd(route);
  }

  /** Arms direct delivery to `agent`: its local senders' messages are held from now on. */
  arm(agent: string, instanceId: number, capacity: number, maxMessageBytes: number): void {
    const route: _Route = {
      agent,
      instanceId,
      capacity,
      maxMessageBytes,
      mode: "hold",
      held: [],
      queued: 0,
      endToken: null,
      bounced: [],
      refs: [],
      lastRef: 0,
    };
    this.#routes.set(agent, route);
    this.#byInstance.set(instanceId, route);
  }

  /** Starts direct delivery: held messages join the queue first. */
  go(instanceId: number): void {
    const route = this.#byInstance.get(instanceId);
    if (!route || route.mode === "direct") return;
    route.mode = "direct";
    for (const item of route.held) this.#queue.push(item);
    route.queued += route.held.length;
    route.held = [];
  }

  /**
   * Ends direct delivery to an instance. Held messages go back to the main
   * thread; queued ones are still handled, and the end is reported after
   * the last (at once if none). `drop` (the instance is unloaded) gives the
   * queued ones back too.
   */
  end(instanceId: number, token: number, drop = false): void {
    const route = this.#byInstance.get(instanceId) ?? this.#ending.get(instanceId);
    if (!route) {
      if (token !== 0) this.ended.push({ token, instanceId, bounced: [], refs: [] });
      return;
    }
    if (this.#routes.get(route.agent) === route) this.#routes.delete(route.agent);
    this.#byInstance.delete(instanceId);
    for (const item of route.held) this.#bounce(route, item);
    route.held = [];
    if (token !== 0) route.endToken = token;
    if (drop && route.queued > 0) {
      for (const item of this.#queue.removeDirect(instanceId)) this.#bounce(route, item);
      route.queued = 0;
    }
    if (route.queued === 0) this.#finishEnd(route);
    else this.#ending.set(instanceId, route);
  }

  /**
   * Offers a message an agent here sent. Returns the host code when every
   * receiver is an agent of this worker open to direct delivery (0 queued,
   * -2 a receiver's queue is full), or undefined to leave it to the main thread.
   */
  offer(message: Record<string, unknown>, text: string, cause?: string): number | undefined {
    if (this.#routes.size === 0) return undefined;
    const receiver = message.receiver;
    const receivers = Array.isArray(receiver) ? receiver : [receiver];
    // One receiver only: the main thread applies the node's rules to a fan-out (repeated
    // names count once, at most maxReceivers), which this thread does not know.
    if (receivers.length !== 1) return undefined;
    const routes: _Route[] = [];
    for (const name of receivers) {
      const route = typeof name === "string" ? this.#routes.get(name) : undefined;
      if (!route) return undefined;
      if (
        text.length > route.maxMessageBytes / 3 && _utf8.encode(text).length > route.maxMessageBytes
      ) {
        return undefined; // the main thread answers it with message_too_large
      }
      routes.push(route);
    }
    for (const route of routes) {
      if (route.queued + route.held.length >= route.capacity) return -2;
    }
    const logged = this.logging ? _logBody(message, text) : text;
    if (logged === undefined) return undefined; // not valid ACL: the main thread answers it
    const traceparent = message.traceparent as string | undefined;
    const traced = this.tracing && isSampled(traceparent) && isSampled(cause);
    for (const route of routes) {
      const item: QueuedDelivery = { instanceId: route.instanceId, seq: 0, text, traceparent };
      if (traced) {
        item.timed = true;
        item.routedAt = performance.timeOrigin + performance.now();
        item.routeParent = cause;
      }
      // Logged as accepted, held or not: the report goes out with the sender's outcome.
      if (this.logging) {
        item.logRef = ++route.lastRef;
        this.opened = packOpened(this.opened, {
          instanceId: route.instanceId,
          ref: item.logRef,
          receiver: route.agent,
          traceparent,
          text: logged,
        });
      }
      if (route.mode === "hold") route.held.push(item);
      else {
        this.#queue.push(item);
        route.queued++;
      }
    }
    if (this.#mustReport(message, receivers as string[])) {
      this.notes.push({ message: text, at: performance.timeOrigin + performance.now() });
    }
    return 0;
  }

  /** Whether the main thread must see a direct message (observers, reply-by). */
  #mustReport(message: Record<string, unknown>, receivers: string[]): boolean {
    let report = this.#observeAll;
    const conversation = message.conversationId;
    if (typeof conversation === "string") {
      if (typeof message.protocol === "string") {
        this.#remember(this.#observed, conversation, _MAX_OBSERVED);
        report = true;
      } else if (this.#observed.has(conversation)) report = true;
    }
    const sender = message.sender as string;
    if (typeof message.replyBy === "string" && typeof message.replyWith === "string") {
      for (const to of receivers) {
        this.#remember(
          this.#awaited,
          `${to}\u0000${sender}\u0000${message.replyWith}`,
          _MAX_AWAITED,
        );
      }
      report = true;
    }
    if (typeof message.inReplyTo === "string" && this.#awaited.size > 0) {
      for (const to of receivers) {
        if (this.#awaited.delete(`${sender}\u0000${to}\u0000${message.inReplyTo}`)) report = true;
      }
    }
    return report;
  }

  #observe(text: string): void {
    try {
      const conversation = (JSON.parse(text) as { conversationId?: unknown }).conversationId;
      if (typeof conversation === "string") {
        this.#remember(this.#observed, conversation, _MAX_OBSERVED);
      }
    } catch {
      // not JSON: the agent will say so; nothing to observe
    }
  }

  #remember(set: Set<string>, key: string, max: number): void {
    if (set.has(key)) return;
    if (set.size >= max) set.delete(set.values().next().value!);
    set.add(key);
  }

  #bounce(route: _Route, item: QueuedDelivery): void {
    route.bounced.push(item.text);
    route.refs.push(item.logRef ?? 0);
  }

  #finishEnd(route: _Route): void {
    this.#ending.delete(route.instanceId);
    const all = route.bounced;
    const refs = route.refs;
    route.bounced = [];
    route.refs = [];
    const instanceId = route.instanceId;
    if (route.endToken !== null) {
      this.ended.push({ token: route.endToken, instanceId, bounced: all, refs });
      route.endToken = null;
    } else if (all.length > 0) {
      // Unloaded without an end request: still give the messages back.
      this.ended.push({ token: 0, instanceId, bounced: all, refs });
    }
  }
}
