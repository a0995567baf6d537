/**
 * The router's one seam to other nodes: when a receiver is neither a local
 * agent nor a local participant, the router asks the {@linkcode RemoteRoutes}
 * it was given (a cluster, wired in main.ts) for an endpoint that carries the
 * message elsewhere. Standalone, there is none and nothing changes.
 */
import type { Endpoint } from "./delivery.ts";

/** Endpoints for names that live on other nodes. */
export interface RemoteRoutes {
  /** An endpoint that delivers to `name` on its node, or undefined when no node has it. */
  endpointFor(name: string): Endpoint | undefined;
}

/** Raised by a remote endpoint when the receiver's node cannot be reached. */
export class NodeUnreachableError extends Error {
  readonly code = "node_unreachable";
  constructor(readonly receiver: string, readonly node: string, detail: string) {
    super(
      `Cannot deliver to "${receiver}": its node "${node}" cannot be reached (${detail}); retry once the node is back (caxton cluster status)`,
    );
    this.name = "NodeUnreachableError";
  }
}
