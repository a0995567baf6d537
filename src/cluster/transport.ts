/**
 * Messages between nodes over core NATS. Each node listens on its own
 * subject, `caxton.node.<id>.deliver`. What the router hands to a remote
 * endpoint is queued per destination node and sent as one NATS request per
 * burst (many ACL messages in one NATS message); the receiving node routes
 * each into its local router — the same failures, reply-by clocks and trace
 * as a local delivery — and acknowledges the batch. No acknowledgement within
 * `unreachableMs` (or no node listening) fails every message of the batch
 * back to its sender with `node_unreachable`: never a silent loss, never a hang.
 *
 * Addresses: agent names are unique in the cluster, so they travel as they
 * are. Outside participants and tools (`ext:…`, `tool:…`) are per node, so a
 * sender of that kind travels as `ext:name@<node id>`, and replies to it come
 * back to that node, which strips the suffix.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { AclMessage } from "../acl/mod.ts";
import { type Endpoint, type Envelope, NodeUnreachableError, type Router } from "../router/mod.ts";

/** The subject node `id` receives messages on. */
export function deliverSubject(id: string): string {
  return `caxton.node.${id}.deliver`;
}

interface _Queued {
  receiver: string;
  message: AclMessage;
  text: string;
}

/** Most messages in one NATS message (a burst larger than this goes in several). */
const _BATCH = 512;

/** Options of {@linkcode NodeTransport}. */
export interface NodeTransportOptions {
  nc: NatsConnection;
  router: Router;
  selfId: string;
  unreachableMs: number;
  /** A node's display name, for failure reasons. */
  nameOf: (id: string) => string;
  /** Whether membership calls node `id` gone: messages to it fail before they are sent. */
  isGone: (id: string) => boolean;
}

/** Sends to and receives from other nodes. */
export class NodeTransport {
  readonly #o: NodeTransportOptions;
  readonly #queues = new Map<string, _Queued[]>();
  /** One endpoint per remote name (the router delivers to one receiver per enqueue). */
  readonly #endpoints = new Map<string, { node: string; endpoint: Endpoint }>();
  #flushing = false;
  #sub: Subscription | undefined;
  /** The sender of the message being routed in from another node (see endpointFor). */
  #inboundSender: string | undefined;
  /** Batches sent and not yet acknowledged. */
  #inFlight = 0;

  constructor(options: NodeTransportOptions) {
    this.#o = options;
  }

  /** Starts receiving this node's messages. */
  listen(): void {
    this.#sub = this.#o.nc.subscribe(deliverSubject(this.#o.selfId), {
      callback: (error, msg) => {
        if (error) return;
        this.#receive(msg.string());
        msg.respond();
      },
    });
  }

  /** Batches waiting for their acknowledgement. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * An endpoint for `name` on node `node`. While a message from another node
   * is routed here, only its sender may be reached remotely (its failure
   * goes back): a message is never forwarded on, so caches that disagree for
   * a moment cannot bounce it between nodes.
   */
  endpointFor(node: string, name: string): Endpoint | undefined {
    if (this.#inboundSender !== undefined && name !== this.#inboundSender) return undefined;
    const known = this.#endpoints.get(name);
    if (known?.node === node) return known.endpoint;
    const endpoint: Endpoint = { enqueue: (envelope) => this.#enqueue(node, name, envelope) };
    this.#endpoints.set(name, { node, endpoint });
    return endpoint;
  }

  #enqueue(node: string, receiver: string, envelope: Envelope): void {
    const { message } = envelope;
    if (this.#o.nc.isClosed()) {
      throw new NodeUnreachableError(receiver, this.#o.nameOf(node), "this node left the cluster");
    }
    if (this.#o.isGone(node)) {
      throw new NodeUnreachableError(receiver, this.#o.nameOf(node), "its heartbeats stopped");
    }
    let text = envelope.text;
    const sender = message.sender;
    // A per-node sender travels with this node's id, so replies find their way back.
    if (sender && sender.includes(":") && !sender.includes("@")) {
      text = JSON.stringify({ ...message, sender: `${sender}@${this.#o.selfId}` });
    }
    let queue = this.#queues.get(node);
    if (!queue) this.#queues.set(node, queue = []);
    queue.push({ receiver, message, text });
    if (!this.#flushing) {
      this.#flushing = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushing = false;
    for (const [node, queue] of this.#queues) {
      this.#queues.delete(node);
      for (let i = 0; i < queue.length; i += _BATCH) this.#send(node, queue.slice(i, i + _BATCH));
    }
  }

  #send(node: string, batch: _Queued[]): void {
    let payload = "";
    for (const q of batch) payload += `${q.receiver}\n${q.text}\n`;
    this.#inFlight++;
    this.#o.nc.request(deliverSubject(node), payload, { timeout: this.#o.unreachableMs })
      .then(
        () => this.#inFlight--,
        (error: Error) => {
          this.#inFlight--;
          const detail = /no responders/i.test(error.message)
            ? "no node listens on its subject"
            : /timeout/i.test(error.message)
            ? `no acknowledgement within ${this.#o.unreachableMs} ms`
            : error.message;
          const name = this.#o.nameOf(node);
          for (const q of batch) {
            const e = new NodeUnreachableError(q.receiver, name, detail);
            this.#o.router.fail(q.message, q.receiver, "node_unreachable", e.message);
          }
        },
      );
  }

  /** Routes every message of a batch into the local router. */
  #receive(payload: string): void {
    const suffix = `@${this.#o.selfId}`;
    let at = 0;
    while (at < payload.length) {
      const split = payload.indexOf("\n", at);
      const end = payload.indexOf("\n", split + 1);
      if (split < 0 || end < 0) break;
      let receiver = payload.slice(at, split);
      const text = payload.slice(split + 1, end);
      at = end + 1;
      if (receiver.endsWith(suffix)) receiver = receiver.slice(0, -suffix.length);
      let message: AclMessage;
      try {
        message = JSON.parse(text) as AclMessage;
      } catch {
        continue; // Only Caxton nodes publish here; a line that is not JSON is not ours.
      }
      message.receiver = [receiver];
      this.#inboundSender = message.sender;
      try {
        this.#o.router.route(message);
      } finally {
        this.#inboundSender = undefined;
      }
    }
  }

  /** Stops receiving; batches in flight still get their answer or failure. */
  async close(): Promise<void> {
    this.#flush();
    await this.#sub?.drain().catch(() => {});
  }
}
