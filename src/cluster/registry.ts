/**
 * One agent registry for the cluster: a JetStream KV bucket from agent name to
 * the node that hosts it. A node claims a name with `create`, which NATS
 * refuses when the key exists (compare-and-set), so of two nodes deploying
 * one name at the same moment exactly one wins. Every node keeps a copy of the
 * bucket current by a watch; message routing reads only that copy.
 */
import type { KV } from "@nats-io/kv";
import {
  AgentNameTakenError,
  type NameClaims,
  NameRegistryUnavailableError,
} from "../router/mod.ts";
import { watchBucket } from "./kv_watch.ts";

/** Who hosts an agent. */
export interface Registration {
  node: string;
  nodeName: string;
}

const _text = new TextDecoder();

/** The cluster's names, claimed here and cached from the watch. */
export class Registry implements NameClaims {
  readonly #kv: KV;
  readonly #self: Registration;
  readonly #cache = new Map<string, Registration>();
  #stopWatch: (() => void) | undefined;

  constructor(kv: KV, self: Registration) {
    this.#kv = kv;
    this.#self = self;
  }

  /** Loads the registry and keeps the copy current. */
  async start(): Promise<void> {
    this.#stopWatch = await watchBucket(this.#kv, (entry) => {
      if (entry.operation === "PUT") {
        this.#cache.set(entry.key, JSON.parse(_text.decode(entry.value)) as Registration);
      } else this.#cache.delete(entry.key);
    });
  }

  /** The node hosting `name`, from the local copy (undefined: no node). */
  ownerOf(name: string): Registration | undefined {
    return this.#cache.get(name);
  }

  /** Every name with its node, by name. */
  entries(): [string, Registration][] {
    return [...this.#cache].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** How many names each node holds. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.#cache.values()) counts.set(r.node, (counts.get(r.node) ?? 0) + 1);
    return counts;
  }

  async claim(name: string): Promise<void> {
    try {
      await this.#kv.create(name, JSON.stringify(this.#self));
      return;
    } catch (error) {
      if (!/wrong last sequence/.test((error as Error).message)) {
        throw new NameRegistryUnavailableError(name, (error as Error).message);
      }
    }
    // The key exists: ours (a restart, a redeploy) or another node's.
    const entry = await this.#kv.get(name).catch((error) => {
      throw new NameRegistryUnavailableError(name, (error as Error).message);
    });
    const owner = entry?.operation === "PUT"
      ? JSON.parse(_text.decode(entry.value)) as Registration
      : undefined;
    if (owner?.node === this.#self.node) return;
    if (owner) throw new AgentNameTakenError(name, owner.nodeName);
    // Deleted between create and get: try once more.
    await this.#kv.create(name, JSON.stringify(this.#self)).catch((error) => {
      throw new NameRegistryUnavailableError(name, (error as Error).message);
    });
  }

  async release(name: string): Promise<void> {
    const entry = await this.#kv.get(name);
    if (entry?.operation !== "PUT") return;
    const owner = JSON.parse(_text.decode(entry.value)) as Registration;
    if (owner.node !== this.#self.node) return;
    // Only the revision read: a name claimed again meanwhile is not removed.
    await this.#kv.delete(name, { previousSeq: entry.revision });
  }

  stop(): void {
    this.#stopWatch?.();
  }
}
