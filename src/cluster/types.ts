/**
 * What the rest of Caxton sees of the cluster (types only: importing them
 * loads no NATS code).
 */
import type { NameClaims, RemoteRoutes, Router } from "../router/mod.ts";
import type { ClusterConfig } from "../config/mod.ts";
import type { ForwardSeal } from "./forward_seal.ts";
import type { LossCause, Member } from "./membership.ts";
import type { SharableIndex } from "./shared_directory.ts";
import type { ClusterModules } from "./module_store.ts";
import type { NodeIdentity } from "./node_identity.ts";

/** What {@linkcode startCluster} needs from the node. */
export interface ClusterOptions {
  config: ClusterConfig;
  /** Where the node id is kept. */
  dataDir: string;
  router: Router;
  /** This node's API URL (null: none served) and figures, read for each heartbeat. */
  local: () => { api: string | null; agents: number; load: number };
}

/** A member row of `GET /api/v1/cluster`. */
export interface ClusterMember extends Member {
  /** Names the registry holds for the node. */
  registeredAgents: number;
}

/** A row of `GET /api/v1/cluster/agents`. */
export interface ClusterAgent {
  name: string;
  /** Its node's id and name, and that node's state as this node sees it. */
  node: string;
  nodeName: string;
  nodeState: "joined" | "suspect" | "gone";
}

/** `GET /api/v1/cluster`. */
export interface ClusterStatus {
  /** This node's id. */
  self: string;
  /** Whether NATS is reachable now. */
  connected: boolean;
  nodes: ClusterMember[];
}

/** A node lost with messages in it (membership.ts's onLost): nothing in flight there will be answered. */
export interface NodeLoss {
  node: string;
  nodeName: string;
  cause: LossCause;
  /** Whether the registry copy puts agent `name` on the lost node. */
  holds(name: string): boolean;
  /** The reason a failure from agent `name` on the lost node gives. */
  reason(name: string): string;
}

/** This node as a member of the cluster. */
export interface Cluster extends RemoteRoutes, NameClaims {
  readonly self: NodeIdentity;
  /** False while NATS is unreachable: `/ready` says degraded, local traffic flows. */
  readonly connected: boolean;
  status(): ClusterStatus;
  /** Every agent of the cluster (the registry copy), by name, with its node as seen here. */
  agents(): ClusterAgent[];
  /** Shares the node's capability directory with the cluster, both ways (shared_directory.ts). */
  shareDirectory(index: SharableIndex): Promise<void>;
  /** A provider on another node as the directory weighs it (undefined: none, or its node is gone). */
  providerStatus(agent: string): { state: string; load: number } | undefined;
  /** Module bytes by content hash, stored once for the cluster (module_store.ts). */
  readonly modules: ClusterModules;
  /** Seals (and opens) the caller of API requests forwarded between nodes. */
  readonly seal: ForwardSeal;
  /**
   * The node that holds agent `name` when it is another node: its name, its
   * API URL (null if it serves none) and whether membership calls it gone.
   */
  ownerOf(
    name: string,
  ): { node: string; name: string; api: string | null; gone: boolean } | undefined;
  /** Claims the names of agents restored from the store; returns those another node holds. */
  claimRestored(names: readonly string[]): Promise<{ name: string; error: Error }[]>;
  /** Calls `listener` each time a peer is lost (gone, left or restarted). */
  onNodeLost(listener: (loss: NodeLoss) => void): void;
  /** Leaves: stops receiving, deletes its heartbeat, closes NATS. */
  close(): Promise<void>;
}
