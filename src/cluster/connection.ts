/**
 * The node's one NATS connection, built from the `cluster` setting: TLS with a
 * client certificate, credentials or user/password; reconnects forever, and
 * says whether it is connected now (for `/ready`).
 */
import {
  connect,
  type ConnectionOptions,
  credsAuthenticator,
  type NatsConnection,
} from "@nats-io/transport-node";
import type { ClusterConfig } from "./config.ts";

/** Raised when the node cannot join: NATS refused it or did not answer. */
export class ClusterJoinError extends Error {
  readonly code = "cluster_join_failed";
  constructor(servers: string[], detail: string) {
    super(
      `Cannot join the cluster at ${
        servers.join(", ")
      }: ${detail}; check the servers are up and this node's TLS certificate or credentials (docs/CLUSTER.md)`,
    );
    this.name = "ClusterJoinError";
  }
}

/** A NATS connection and whether it is up. */
export interface ClusterConnection {
  readonly nc: NatsConnection;
  /** False while NATS is unreachable (the client keeps reconnecting). */
  readonly connected: boolean;
}

/** Connects as `nodeName`; rejects with {@linkcode ClusterJoinError}. */
export async function openConnection(
  config: ClusterConfig,
  nodeName: string,
): Promise<ClusterConnection> {
  const options: ConnectionOptions = {
    servers: config.servers,
    name: `caxton:${nodeName}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Ping often: a dead server is noticed in seconds, so /ready turns degraded.
    pingInterval: 2_000,
    maxPingOut: 2,
  };
  if (config.tls) {
    options.tls = {
      caFile: config.tls.ca,
      ...(config.tls.cert ? { certFile: config.tls.cert, keyFile: config.tls.key } : {}),
    };
  }
  if (config.credsFile) {
    options.authenticator = credsAuthenticator(Deno.readFileSync(config.credsFile));
  } else if (config.user !== undefined) {
    options.user = config.user;
    options.pass = config.pass;
  }
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (error) {
    throw new ClusterJoinError(config.servers, (error as Error).message);
  }
  const state = { nc, connected: true };
  (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") state.connected = false;
      if (status.type === "reconnect") state.connected = true;
    }
  })();
  return state;
}
