/**
 * The router's seam for names, beside `RemoteRoutes` for messages
 * (remote.ts): the lifecycle claims through it, a cluster implements it, so
 * neither imports the other. Cluster-wide agent names: before a node takes a new name it claims it
 * (src/cluster implements this with compare-and-set in NATS KV); it gives
 * the name back when the agent is removed. Standalone, nothing is claimed.
 */

/** Where agent names are claimed. */
export interface NameClaims {
  /** Resolves once `name` is this node's; throws {@linkcode AgentNameTakenError} when another node has it. */
  claim(name: string): Promise<void>;
  /** Gives `name` back (after the agent is removed). */
  release(name: string): Promise<void>;
}

/** Raised when a name is deployed on another node of the cluster. */
export class AgentNameTakenError extends Error {
  readonly code = "agent_name_taken";
  constructor(readonly agent: string, readonly node: string) {
    super(
      `Cannot deploy agent "${agent}": the name lives on node "${node}" of the cluster; deploy it there (?node=${node}, or caxton agent deploy --node ${node}), remove it there first, or choose another name`,
    );
    this.name = "AgentNameTakenError";
  }
}

/** Raised when the cluster registry cannot be asked (NATS unreachable). */
export class NameRegistryUnavailableError extends Error {
  readonly code = "cluster_unavailable";
  constructor(readonly agent: string, detail: string) {
    super(
      `Cannot deploy agent "${agent}": the cluster registry cannot be reached (${detail}); retry once NATS is back`,
    );
    this.name = "NameRegistryUnavailableError";
  }
}
