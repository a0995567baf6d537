/** The message log's records: what is appended, how states change, what reads return. */
import type { AclMessage } from "../acl/mod.ts";

/** Where one delivery stands. `accepted` and `delivered` are unfinished. */
export type DeliveryStatus = "accepted" | "delivered" | "handled" | "failed" | "dead";

/** One delivery to log: a message and the one receiver it goes to. */
export interface MessageEntry {
  readonly message: AclMessage;
  /** One of `message.receiver`; a message to n receivers is n entries. */
  readonly receiver: string;
  /** `JSON.stringify(message)` when the caller has it already (one string for all receivers). */
  readonly body?: string;
  readonly traceId?: string;
}

/** A delivery at its log position, as `MessageLog.appendBatch` writes it. */
export interface LogEntry extends MessageEntry {
  readonly id: number;
  /** Unix epoch milliseconds. */
  readonly acceptedAt: number;
  /** The state to record with the row; `accepted` unless a mark arrived before the write. */
  readonly status?: DeliveryStatus;
  readonly reason?: string | null;
}

/** A change of delivery state. Failures and dead letters say why. */
export type MarkUpdate =
  | { readonly id: number; readonly status: "accepted" | "delivered" | "handled"; reason?: never }
  | { readonly id: number; readonly status: "failed" | "dead"; readonly reason: string };

/** A delivery as logged. Times are Unix epoch milliseconds. */
export interface LoggedMessage {
  id: number;
  acceptedAt: number;
  receiver: string;
  message: AclMessage;
  traceId: string | null;
  status: DeliveryStatus;
  reason: string | null;
  updatedAt: number;
}

/** A delivery given up on, with when it was. */
export interface DeadLetter extends LoggedMessage {
  deadAt: number;
}

/** What the log holds. Bytes are estimated: bodies exactly, each delivery row as ROW_BYTES. */
export interface LogSize {
  /** Delivery rows. */
  deliveries: number;
  bytes: number;
}

/** What one prune deleted: delivery rows and their estimated bytes (as {@linkcode LogSize}). */
export interface Pruned {
  deliveries: number;
  bytes: number;
}
