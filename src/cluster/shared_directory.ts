/**
 * The capability directory across the cluster: each node puts what its agents
 * declare into the KV bucket `caxton_capabilities` (key: the agent's name,
 * unique in the cluster) and feeds what other nodes put into its own index.
 * So `GET /api/v1/capabilities` and `cap:` routing see providers on every
 * node; a message to a remote provider travels as any message to another
 * node. A remote provider counts as live while its node is not gone (its
 * own state is checked when the message arrives there) and as idle (load 0).
 */
import type { KV } from "@nats-io/kv";
import type { CapabilityRecord } from "../store/mod.ts";
import { watchBucket } from "./kv_watch.ts";

/** The KV bucket of capabilities. */
export const CAPABILITIES_BUCKET = "caxton_capabilities";

/** What a node's index offers the cluster (src/directory's CapabilityIndex). */
export interface SharableIndex {
  set(agent: string, capabilities: readonly CapabilityRecord[]): void;
  remove(agent: string): void;
  observe(listener: (agent: string, capabilities: readonly CapabilityRecord[]) => void): void;
}

interface _Shared {
  node: string;
  capabilities: CapabilityRecord[];
}

const _text = new TextDecoder();

/** Publishes this node's capabilities and indexes the other nodes'. */
export class SharedDirectory {
  readonly #kv: KV;
  readonly #self: string;
  readonly #isGone: (node: string) => boolean;
  /** This node's agents with capabilities in the bucket. */
  readonly #published = new Set<string>();
  /** Remote agent → its node. */
  readonly #remote = new Map<string, string>();
  #index: SharableIndex | undefined;
  /** Set while a remote entry is indexed: it is not published back. */
  #applying = false;
  #stopWatch: (() => void) | undefined;

  constructor(kv: KV, self: string, isGone: (node: string) => boolean) {
    this.#kv = kv;
    this.#self = self;
    this.#isGone = isGone;
  }

  /** Shares `index` both ways; resolves once the other nodes' entries are in it. */
  async share(index: SharableIndex): Promise<void> {
    this.#index = index;
    index.observe((agent, capabilities) => {
      if (this.#applying) return;
      this.#remote.delete(agent);
      if (capabilities.length === 0 && !this.#published.delete(agent)) return;
      if (capabilities.length > 0) this.#published.add(agent);
      const done = capabilities.length === 0
        ? this.#kv.delete(agent)
        : this.#kv.put(agent, JSON.stringify({ node: this.#self, capabilities }));
      // NATS down: the node's own routing is unaffected; the next change republishes.
      done.catch(() => {});
    });
    this.#stopWatch = await watchBucket(this.#kv, (entry) => {
      const shared = entry.operation === "PUT"
        ? JSON.parse(_text.decode(entry.value)) as _Shared
        : undefined;
      if (shared?.node === this.#self) {
        this.#published.add(entry.key);
        return;
      }
      if (!shared && !this.#remote.has(entry.key)) return;
      this.#applying = true;
      try {
        if (shared) {
          this.#remote.set(entry.key, shared.node);
          index.set(entry.key, shared.capabilities);
        } else {
          this.#remote.delete(entry.key);
          index.remove(entry.key);
        }
      } finally {
        this.#applying = false;
      }
    });
  }

  /** A remote provider's status: live while its node is (undefined: not remote, or gone). */
  providerStatus(agent: string): { state: string; load: number } | undefined {
    const node = this.#remote.get(agent);
    return node === undefined || this.#isGone(node) ? undefined : { state: "running", load: 0 };
  }

  stop(): void {
    this.#stopWatch?.();
  }
}
