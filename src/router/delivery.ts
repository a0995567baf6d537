/**
 * Delivery's terms: what a message is handed to (an {@linkcode Endpoint}), and
 * why one was not delivered (a {@linkcode FailureCode}, or a dead letter).
 */
import type { AclMessage } from "../acl/mod.ts";
import type { Envelope } from "./mailbox.ts";

/** Something that accepts messages for one agent name. */
export interface Endpoint {
  /** Throws `MailboxFullError` when full; other errors mean "cannot deliver". */
  enqueue(envelope: Envelope): void;
  /**
   * True when the endpoint reports the outcome of each delivery through
   * `Router.complete` (agents); otherwise a delivery is done once enqueued.
   */
  readonly reportsOutcome?: boolean;
}

/**
 * Raised by an endpoint when its agent has no instance and the node holds as many live
 * instances as it may (`scale.maxLiveInstances`, issue 21), none idle to passivate for it.
 */
export class InstanceLimitError extends Error {
  readonly code = "instance_limit";
  constructor(readonly agent: string, readonly limit: number) {
    super(
      `Cannot deliver to "${agent}": it is passivated and the node already holds ${limit} live instances (scale.maxLiveInstances), none idle; retry later or raise the limit`,
    );
    this.name = "InstanceLimitError";
  }
}

/** Raised by an endpoint when a message is larger than its receiver accepts. */
export class MessageTooLargeError extends Error {
  readonly code = "message_too_large";
  constructor(readonly agent: string, readonly bytes: number, readonly limit: number) {
    super(
      `Cannot deliver to "${agent}": the message is ${bytes} bytes, over its cap of ${limit}; send less content or raise the agent's maxMessageBytes`,
    );
    this.name = "MessageTooLargeError";
  }
}

/** Why a message was not delivered. */
export type FailureCode =
  | "unknown_receiver"
  | "mailbox_full"
  | "agent_unavailable"
  // An outside participant's webhook points at an address the node may not reach (issue 13).
  | "webhook_address_refused"
  | "handling_failed"
  | "message_too_large"
  // The receiver is passivated and the node holds its most live instances (issue 21).
  | "instance_limit"
  | "reply_timeout"
  // Agent code failed the message for a named reason (runtime RunFailureCode).
  | "deadline_exceeded"
  | "fuel_exhausted"
  | "out_of_memory"
  | "bad_pointer"
  // Cluster: the receiver's node did not take the message in time (src/cluster).
  | "node_unreachable"
  // No live agent offers the capability a `cap:` address names (src/directory).
  | "no_provider"
  // A circuit breaker around a webhook or MCP server is open (issue 17).
  | "circuit_open";

/** A message nobody could take, not even its sender. */
export interface DeadLetter {
  message: AclMessage;
  reason: string;
}
