/**
 * This node as a cluster member: the NATS connection, membership, the agent
 * registry and the transport to other nodes, started together and closed
 * together. Loaded by mod.ts with a dynamic import, so a standalone node
 * never loads the NATS client.
 */
import { Kvm } from "@nats-io/kv";
import type { Endpoint } from "../router/mod.ts";
import { openBucket } from "./buckets.ts";
import { CLUSTER_BUCKET, clusterSecret } from "./cluster_secret.ts";
import { openConnection } from "./connection.ts";
import { ForwardSeal } from "./forward_seal.ts";
import { ClusterModules } from "./module_store.ts";
import { type LossCause, Membership, NODES_TTL_MS } from "./membership.ts";
import { defaultNodeName, nodeId, type NodeIdentity } from "./node_identity.ts";
import { Registry } from "./registry.ts";
import { CAPABILITIES_BUCKET, type SharableIndex, SharedDirectory } from "./shared_directory.ts";
import { NodeTransport } from "./transport.ts";
import type { Cluster, ClusterAgent, ClusterOptions, ClusterStatus, NodeLoss } from "./types.ts";
import { NodeUnreachableError } from "../router/mod.ts";

/** The KV bucket of heartbeats. */
export const NODES_BUCKET = "caxton_nodes";
/** The KV bucket of agent names. */
export const AGENTS_BUCKET = "caxton_agents";

/** Joins the cluster; rejects with ClusterJoinError when NATS refuses or is down. */
export async function joinCluster(options: ClusterOptions): Promise<Cluster> {
  const { config } = options;
  const id = nodeId(options.dataDir);
  const self: NodeIdentity = {
    id,
    name: config.name ?? `${defaultNodeName()}-${id.slice(0, 6)}`,
    api: null,
  };
  const connection = await openConnection(config, self.name);
  const { nc } = connection;
  try {
    const kvm = new Kvm(nc);
    const replicas = config.replicas ?? 1;
    const bucket = (name: string, options: { ttl?: number } = {}) =>
      openBucket(kvm, name, { ...options, history: 1 }, replicas);
    const nodes = await bucket(NODES_BUCKET, { ttl: NODES_TTL_MS });
    const names = await bucket(AGENTS_BUCKET);
    const seal = new ForwardSeal(await clusterSecret(await bucket(CLUSTER_BUCKET)));
    const capabilities = await bucket(CAPABILITIES_BUCKET);
    const modules = await ClusterModules.open(nc, replicas);
    const startedAt = new Date().toISOString();
    const membership = new Membership(nodes, () => {
      const local = options.local();
      self.api = local.api;
      return { ...self, ...local, startedAt };
    });
    const registry = new Registry(names, { node: id, nodeName: self.name });
    const nameOf = (node: string) => membership.members().find((m) => m.id === node)?.name ?? node;
    const transport = new NodeTransport({
      nc,
      router: options.router,
      selfId: id,
      unreachableMs: config.unreachableMs,
      nameOf,
      isGone: (node) => membership.stateOf(node) === "gone",
    });
    const directory = new SharedDirectory(
      capabilities,
      id,
      (node) => membership.stateOf(node) === "gone",
    );
    await registry.start();
    transport.listen();
    await membership.start();
    return new _Member(self, connection, membership, registry, transport, seal, directory, modules);
  } catch (error) {
    await nc.close().catch(() => {});
    throw error;
  }
}

/** What a failure for a message caught in a lost node says happened. */
const _LOSS_DETAIL: Record<LossCause, string> = {
  heartbeats_stopped: "its heartbeats stopped with this message in it",
  left: "it left the cluster with this message in it",
  restarted: "it restarted with this message in it",
};

class _Member implements Cluster {
  #closing: Promise<void> | undefined;

  constructor(
    readonly self: NodeIdentity,
    readonly connection: { readonly nc: { close(): Promise<void> }; readonly connected: boolean },
    readonly membership: Membership,
    readonly registry: Registry,
    readonly transport: NodeTransport,
    readonly seal: ForwardSeal,
    readonly directory: SharedDirectory,
    readonly modules: ClusterModules,
  ) {}

  shareDirectory(index: SharableIndex): Promise<void> {
    return this.directory.share(index);
  }

  providerStatus(agent: string): { state: string; load: number } | undefined {
    return this.directory.providerStatus(agent);
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  endpointFor(name: string): Endpoint | undefined {
    const at = name.lastIndexOf("@");
    if (at >= 0) {
      const node = name.slice(at + 1);
      return node === this.self.id ? undefined : this.transport.endpointFor(node, name);
    }
    const owner = this.registry.ownerOf(name);
    if (!owner || owner.node === this.self.id) return undefined;
    return this.transport.endpointFor(owner.node, name);
  }

  ownerOf(name: string) {
    const owner = this.registry.ownerOf(name);
    if (!owner || owner.node === this.self.id) return undefined;
    const member = this.membership.members().find((m) => m.id === owner.node);
    return {
      node: owner.node,
      name: owner.nodeName,
      api: member?.api ?? null,
      gone: !member || member.state === "gone",
    };
  }

  onNodeLost(listener: (loss: NodeLoss) => void): void {
    this.membership.onLost((peer, cause) => {
      const detail = _LOSS_DETAIL[cause];
      listener({
        node: peer.id,
        nodeName: peer.name,
        cause,
        holds: (name) => this.registry.ownerOf(name)?.node === peer.id,
        reason: (name) => new NodeUnreachableError(name, peer.name, detail).message,
      });
    });
  }

  claim(name: string): Promise<void> {
    return this.registry.claim(name);
  }

  release(name: string): Promise<void> {
    return this.registry.release(name);
  }

  async claimRestored(names: readonly string[]): Promise<{ name: string; error: Error }[]> {
    const conflicts: { name: string; error: Error }[] = [];
    for (const name of names) {
      await this.registry.claim(name).catch((error: Error) => conflicts.push({ name, error }));
    }
    return conflicts;
  }

  agents(): ClusterAgent[] {
    return this.registry.entries().map(([name, r]) => ({
      name,
      node: r.node,
      nodeName: r.nodeName,
      nodeState: this.membership.stateOf(r.node) ?? "gone",
    }));
  }

  status(): ClusterStatus {
    const counts = this.registry.counts();
    return {
      self: this.self.id,
      connected: this.connected,
      nodes: this.membership.members().map((m) => ({
        ...m,
        registeredAgents: counts.get(m.id) ?? 0,
      })),
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.transport.close();
      await this.membership.stop(true);
      this.registry.stop();
      this.directory.stop();
      await this.connection.nc.close().catch(() => {});
    })();
    return this.#closing;
  }
}
