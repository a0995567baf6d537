/** The message log's records: what is appended, how deliveries end, what reads return. */
import type { AclMessage } from "../acl/mod.ts";

/** Where one delivery stands. `accepted` and `delivered` are unfinished. */
export type DeliveryStatus = "accepted" | "delivered" | "handled" | "failed" | "dead";

/** One delivery to log: a message and the one receiver it goes to. */
export interface MessageEntry {
  /** The message; may be left out when `body` is given. */
  readonly message?: AclMessage;
  /** One of `message.receiver`; a message to n receivers is n entries. */
  readonly receiver: string;
  /** `JSON.stringify(message)` when the caller has it already (one string for all receivers). */
  readonly body?: string;
  readonly traceId?: string;
}

/**
 * One message as logged: one row for all its receivers. Receiver `i` has log
 * position `id + i`; a delivery is named by its position.
 */
export interface LogRecord {
  readonly id: number;
  /** Unix epoch milliseconds. */
  readonly at: number;
  readonly receivers: readonly string[];
  /** JSON of the ACL message. */
  readonly body: string;
  readonly traceId: string | null;
}

/** A delivery that ended without being handled. Rare, so a row of its own. */
export interface LogOutcome {
  readonly id: number;
  readonly status: "failed" | "dead";
  readonly reason: string;
  /** Unix epoch milliseconds. */
  readonly at: number;
}

/** What one group commit writes, in one transaction. */
export interface LogBatch {
  readonly records: readonly LogRecord[];
  readonly outcomes: readonly LogOutcome[];
  /** Per receiver: every delivery to it at or before this position is done (handled or ended). */
  readonly watermarks: readonly (readonly [receiver: string, through: number])[];
  /** Every delivery at or before this position is done. */
  readonly doneThrough: number;
  /** The highest position handed out so far. */
  readonly lastId: number;
}

/** A delivery as logged. Times are Unix epoch milliseconds. */
export interface LoggedMessage {
  id: number;
  acceptedAt: number;
  receiver: string;
  message: AclMessage;
  traceId: string | null;
  status: DeliveryStatus;
  reason: string | null;
  /** When it failed or died; otherwise when it was accepted. */
  updatedAt: number;
}

/** A delivery given up on, with when it was. */
export interface DeadLetter extends LoggedMessage {
  deadAt: number;
}

/** What the log holds. Bytes are estimated: bodies exactly, each delivery as ROW_BYTES. */
export interface LogSize {
  /** Deliveries (one per receiver of each message). */
  deliveries: number;
  bytes: number;
}

/** What one prune deleted: deliveries and their estimated bytes (as {@linkcode LogSize}). */
export interface Pruned {
  deliveries: number;
  bytes: number;
}
