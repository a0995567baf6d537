/**
 * @module
 * Caxton nodes as a cluster over NATS (docs/CLUSTER.md): membership from
 * heartbeats in JetStream KV, one agent registry by compare-and-set, and
 * messages between nodes over core NATS. Standalone nodes never load the NATS
 * client: {@linkcode startCluster} imports it when a cluster is configured.
 */
export { DEFAULT_UNREACHABLE_MS, parseClusterConfig } from "../config/mod.ts";
export type { ClusterConfig, ClusterTls } from "../config/mod.ts";
export type { LossCause, Member, MemberState } from "./membership.ts";
export type { NodeIdentity } from "./node_identity.ts";
export type {
  Cluster,
  ClusterAgent,
  ClusterMember,
  ClusterOptions,
  ClusterStatus,
  NodeLoss,
} from "./types.ts";
import type { Cluster, ClusterOptions } from "./types.ts";

/** Joins the cluster; rejects with a one-line reason when NATS refuses or cannot be reached. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  // Dynamic: the NATS client is loaded only by a node started with --cluster.
  const { joinCluster } = await import("./cluster_node.ts");
  return await joinCluster(options);
}
