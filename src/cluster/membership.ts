/**
 * Membership from heartbeats: every node puts its record into a JetStream KV
 * bucket every {@linkcode HEARTBEAT_MS}, and watches the bucket. A peer whose
 * heartbeat is late is `suspect`, then `gone`; a node that stops cleanly
 * deletes its key, which its peers see at once. The bucket's TTL (NATS 2.9
 * has bucket-level TTL only) drops records of nodes gone for good, so a node
 * joining later does not list long-dead peers. Nothing here votes or elects:
 * NATS is the single source of what was said, each node judges age itself.
 */
import type { KV } from "@nats-io/kv";
import { watchBucket } from "./kv_watch.ts";
import type { NodeIdentity } from "./node_identity.ts";

/** How often a node says it is alive. */
export const HEARTBEAT_MS = 500;
/** A peer silent this long is suspect (three heartbeats missed). */
export const SUSPECT_MS = 3 * HEARTBEAT_MS;
/** A peer silent this long is gone: under the 3 s the cluster promises. */
export const GONE_MS = 5 * HEARTBEAT_MS;
/** The bucket's TTL: how long a dead node's last record stays listed. */
export const NODES_TTL_MS = 60_000;

/** What a node publishes with each heartbeat. */
export interface Heartbeat extends NodeIdentity {
  /** Agents deployed on the node. */
  agents: number;
  /** Messages waiting in its agents' mailboxes. */
  load: number;
  startedAt: string;
}

/** A member as this node sees it. */
export type MemberState = "joined" | "suspect" | "gone";

/** One row of `caxton cluster status`. */
export interface Member extends Heartbeat {
  state: MemberState;
  self: boolean;
  /** When its last heartbeat arrived (ISO time). */
  lastHeartbeat: string;
  /** How long ago that was, in ms. */
  heartbeatAgeMs: number;
}

interface _Peer {
  beat: Heartbeat;
  seenAt: number;
  /** It deleted its key: stopped cleanly. */
  left: boolean;
  /** Its loss was reported to the {@linkcode Membership.onLost} listeners. */
  lostReported: boolean;
}

/** Why a peer is lost: what it held in flight will not be answered. */
export type LossCause = "heartbeats_stopped" | "left" | "restarted";

const _text = new TextDecoder();

/** Heartbeats out, the watch in; {@linkcode members} judges who is alive. */
export class Membership {
  readonly #kv: KV;
  readonly #self: () => Heartbeat;
  readonly #id: string;
  readonly #peers = new Map<string, _Peer>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopWatch: (() => void) | undefined;
  #lastBeat = Date.now();
  readonly #lostListeners: ((peer: NodeIdentity, cause: LossCause) => void)[] = [];

  constructor(kv: KV, self: () => Heartbeat) {
    this.#kv = kv;
    this.#self = self;
    this.#id = self().id;
  }

  /** Publishes the first heartbeat and reads the members known so far. */
  async start(): Promise<void> {
    await this.#beat();
    this.#stopWatch = await watchBucket(this.#kv, (entry, initial) => {
      if (entry.key === this.#id) return;
      const known = this.#peers.get(entry.key);
      if (entry.operation === "PUT") {
        const beat = JSON.parse(_text.decode(entry.value)) as Heartbeat;
        // Back before it was judged gone: it lost what it held all the same.
        if (known && !known.lostReported && known.beat.startedAt !== beat.startedAt) {
          this.#reportLost(known, "restarted");
        }
        // A record from before this watch began is as old as the server says it is.
        const seenAt = initial ? Math.min(entry.created.getTime(), Date.now()) : Date.now();
        this.#peers.set(entry.key, { beat, seenAt, left: false, lostReported: false });
      } else if (known) {
        known.left = true;
        this.#reportLost(known, "left");
      }
    });
    this.#timer = setInterval(() => {
      this.#beat().catch(() => {/* NATS down: /ready says so; the next beat retries */});
      const now = Date.now();
      for (const peer of this.#peers.values()) {
        if (_judge(peer, now) === "gone") this.#reportLost(peer, "heartbeats_stopped");
      }
    }, HEARTBEAT_MS);
  }

  /**
   * Calls `listener` once each time a peer is lost: judged gone, left, or seen
   * restarted. What was sent to its agents and not yet answered never will be.
   */
  onLost(listener: (peer: NodeIdentity, cause: LossCause) => void): void {
    this.#lostListeners.push(listener);
  }

  #reportLost(peer: _Peer, cause: LossCause): void {
    if (peer.lostReported) return;
    peer.lostReported = true;
    const { id, name, api } = peer.beat;
    for (const listener of this.#lostListeners) listener({ id, name, api }, cause);
  }

  async #beat(): Promise<void> {
    await this.#kv.put(this.#self().id, JSON.stringify(this.#self()));
    this.#lastBeat = Date.now();
  }

  /** Every member, this node first, then by name. */
  members(now = Date.now()): Member[] {
    const self = this.#self();
    const rows: Member[] = [{
      ...self,
      state: "joined",
      self: true,
      lastHeartbeat: new Date(this.#lastBeat).toISOString(),
      heartbeatAgeMs: now - this.#lastBeat,
    }];
    const peers = [...this.#peers.values()].sort((a, b) => a.beat.name < b.beat.name ? -1 : 1);
    for (const peer of peers) {
      const age = Math.max(0, now - peer.seenAt);
      rows.push({
        ...peer.beat,
        state: _judge(peer, now),
        self: false,
        lastHeartbeat: new Date(peer.seenAt).toISOString(),
        heartbeatAgeMs: age,
      });
    }
    return rows;
  }

  /** The state of node `id` as seen here (undefined: never seen). */
  stateOf(id: string, now = Date.now()): MemberState | undefined {
    if (id === this.#id) return "joined";
    const peer = this.#peers.get(id);
    return peer && _judge(peer, now);
  }

  /** Stops beating; `leave` deletes this node's record so peers see it gone at once. */
  async stop(leave: boolean): Promise<void> {
    clearInterval(this.#timer);
    this.#stopWatch?.();
    if (leave) await this.#kv.delete(this.#id).catch(() => {});
  }
}

/** A peer's state from how long it has been silent. */
function _judge(peer: _Peer, now: number): MemberState {
  const age = now - peer.seenAt;
  return peer.left || age >= GONE_MS ? "gone" : age >= SUSPECT_MS ? "suspect" : "joined";
}
