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
import type { ClusterConfig } from "../config/mod.ts";

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

/** Longest wait for the first connection. */
const _JOIN_TIMEOUT_MS = 10_000;

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
    timeout: _JOIN_TIMEOUT_MS,
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
  // A TLS alert from the server (our certificate refused) surfaces in Deno's node:tls layer as an
  // uncaught error rather than a rejection of connect(): catch it while joining, as a refusal.
  const refused = Promise.withResolvers<never>();
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    refused.reject(new Error(event.message.replace(/^Uncaught (Error: )?/, "")));
  };
  globalThis.addEventListener("error", onError);
  let nc: NatsConnection;
  try {
    nc = await Promise.race([connect(options), refused.promise]);
    globalThis.removeEventListener("error", onError);
  } catch (error) {
    // A refused socket may still reset after connect() rejected (a user of an unknown
    // account: "Authorization Violation", then ECONNRESET as an uncaught error that
    // would crash the process before its one-line message): keep catching for a moment.
    const grace = setTimeout(() => globalThis.removeEventListener("error", onError), 1_000);
    Deno.unrefTimer(grace);
    const message = (error as Error).message;
    throw new ClusterJoinError(
      config.servers,
      message === "timeout"
        ? `no answer within ${_JOIN_TIMEOUT_MS} ms (a server that refuses a client certificate only closes the connection)`
        : message,
    );
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
