/**
 * The durable message log: one row per delivery, its delivery state and the
 * dead letters. Written in batches by {@linkcode GroupCommitWriter}; read
 * after a restart to redeliver what was accepted but never handled.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
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

/** A delivery at its log position, as {@linkcode MessageLog.appendBatch} writes it. */
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

const _COLUMNS = `SELECT m.id, m.accepted_at, m.receiver, m.body, m.trace_id,
    d.status, d.reason, d.updated_at`;
const _SELECT = `${_COLUMNS} FROM messages m JOIN deliveries d ON d.message_id = m.id`;
// Through the small partial index, never a walk of the whole log. The WHERE term must
// repeat the index's word for word for SQLite to accept it.
const _UNFINISHED = `${_COLUMNS} FROM deliveries d INDEXED BY deliveries_unfinished
  JOIN messages m ON m.id = d.message_id WHERE d.status IN ('accepted', 'delivered')`;

function _toLogged(row: Record<string, unknown>): LoggedMessage {
  return {
    id: row.id as number,
    acceptedAt: row.accepted_at as number,
    receiver: row.receiver as string,
    message: JSON.parse(row.body as string) as AclMessage,
    traceId: (row.trace_id as string | null) ?? null,
    status: row.status as DeliveryStatus,
    reason: (row.reason as string | null) ?? null,
    updatedAt: row.updated_at as number,
  };
}

/** The `messages` columns of one entry, in INSERT order. */
function _messageRow(e: LogEntry): (string | number | null)[] {
  const m = e.message;
  return [
    e.id,
    e.acceptedAt,
    m.sender ?? null,
    e.receiver,
    m.conversationId ?? null,
    m.performative,
    m.replyWith ?? null,
    m.inReplyTo ?? null,
    e.body ?? JSON.stringify(m),
    e.traceId ?? null,
  ];
}

/** Rows per multi-row INSERT (10 parameters each, far below SQLite's 32,766). */
const _CHUNK = 64;
/** Ids per "handled" UPDATE. */
const _MARK_CHUNK = 256;

/** Repository of the message log. Each write method is one transaction. */
export class MessageLog {
  readonly #transaction: <T>(fn: () => T) => T;
  readonly #lastId: StatementSync;
  readonly #insert: StatementSync;
  readonly #insertDelivery: StatementSync;
  readonly #mark: StatementSync;
  /** The same writes for _CHUNK rows in one statement: each `run` crosses into SQLite once. */
  readonly #insertChunk: StatementSync;
  readonly #insertDeliveryChunk: StatementSync;
  readonly #markHandledChunk: StatementSync;
  readonly #dead: StatementSync;
  readonly #byConversation: StatementSync;
  readonly #byAgent: StatementSync;
  readonly #between: StatementSync;
  readonly #unfinished: StatementSync;
  readonly #unfinishedFor: StatementSync;
  readonly #deadLetters: StatementSync;
  readonly #prune: StatementSync;

  /** `transaction` is the store's, so a batch joins an enclosing transaction. */
  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T) {
    this.#transaction = transaction;
    this.#lastId = db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM messages");
    this.#insert = db.prepare(
      `INSERT INTO messages (id, accepted_at, sender, receiver, conversation_id, performative,
         reply_with, in_reply_to, body, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertDelivery = db.prepare(
      `INSERT INTO deliveries (message_id, receiver, status, reason, updated_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.#mark = db.prepare(
      "UPDATE deliveries SET status = ?, reason = ?, updated_at = ? WHERE message_id = ?",
    );
    const rows = (n: number, width: number) =>
      Array.from({ length: n }, () => `(${Array(width).fill("?").join(", ")})`).join(", ");
    this.#insertChunk = db.prepare(
      `INSERT INTO messages (id, accepted_at, sender, receiver, conversation_id, performative,
         reply_with, in_reply_to, body, trace_id) VALUES ${rows(_CHUNK, 10)}`,
    );
    this.#insertDeliveryChunk = db.prepare(
      `INSERT INTO deliveries (message_id, receiver, status, reason, updated_at)
       VALUES ${rows(_CHUNK, 5)}`,
    );
    this.#markHandledChunk = db.prepare(
      `UPDATE deliveries SET status = 'handled', reason = NULL, updated_at = ?
       WHERE message_id IN (${Array(_MARK_CHUNK).fill("?").join(", ")})`,
    );
    this.#dead = db.prepare(
      "INSERT OR REPLACE INTO dead_letters (message_id, reason, at) VALUES (?, ?, ?)",
    );
    this.#byConversation = db.prepare(`${_SELECT} WHERE m.conversation_id = ? ORDER BY m.id`);
    // Two index range scans, each stopped at the limit, instead of a walk of the whole log.
    // A walk of the log from the cursor: indexes on sender and receiver would slow every append.
    this.#byAgent = db.prepare(
      `${_SELECT} WHERE m.id > ?1 AND (m.sender = ?2 OR m.receiver = ?2) ORDER BY m.id LIMIT ?3`,
    );
    // Through messages_by_accepted_at; `after` pages on the log position.
    this.#between = db.prepare(
      `${_SELECT} WHERE m.accepted_at >= ?1 AND m.accepted_at < ?2 AND m.id > ?3
       ORDER BY m.id LIMIT ?4`,
    );
    this.#unfinished = db.prepare(`${_UNFINISHED} ORDER BY d.message_id`);
    this.#unfinishedFor = db.prepare(`${_UNFINISHED} AND d.receiver = ? ORDER BY d.message_id`);
    this.#deadLetters = db.prepare(
      `SELECT l.*, x.at AS dead_at FROM dead_letters x
       JOIN (${_SELECT}) l ON l.id = x.message_id ORDER BY x.message_id DESC LIMIT ?`,
    );
    // The newest row stays, so MAX(id) never goes back and positions are never reused
    // (cheaper than AUTOINCREMENT, which costs ~12% of append throughput).
    this.#prune = db.prepare(
      `DELETE FROM messages WHERE id IN (SELECT message_id FROM deliveries
         WHERE message_id < ? AND status IN ('handled', 'failed', 'dead'))
       AND id < (SELECT MAX(id) FROM messages)`,
    );
  }

  /** The highest position logged, 0 for an empty log. Prune never lowers it. */
  lastId(): number {
    return (this.#lastId.get() as { id: number }).id;
  }

  /** Logs deliveries at their positions, in one transaction. */
  appendBatch(entries: readonly LogEntry[]): void {
    this.writeBatch(entries, []);
  }

  /** Records delivery states, in one transaction. Unknown ids are ignored. */
  markBatch(updates: readonly MarkUpdate[]): void {
    this.writeBatch([], updates);
  }

  /** Logs `entries`, then applies `updates`, in one transaction: all land or none do. */
  writeBatch(entries: readonly LogEntry[], updates: readonly MarkUpdate[]): void {
    const now = Date.now();
    this.#transaction(() => {
      let from = 0;
      for (; from + _CHUNK <= entries.length; from += _CHUNK) this.#insertMany(entries, from, now);
      for (let i = from; i < entries.length; i++) {
        const e = entries[i]!;
        const status = e.status ?? "accepted";
        const reason = e.reason ?? null;
        this.#insert.run(..._messageRow(e));
        this.#insertDelivery.run(e.id, e.receiver, status, reason, now);
        if (status === "dead") this.#dead.run(e.id, reason ?? "", now);
      }
      // Plain "handled" marks, the common case, go many to a statement.
      const handled: number[] = [];
      for (const u of updates) {
        if (u.status === "handled") {
          handled.push(u.id);
          if (handled.length === _MARK_CHUNK) this.#markHandledChunk.run(now, ...handled.splice(0));
          continue;
        }
        if (handled.length > 0) this.#markHandled(handled.splice(0), now); // keep the order
        const reason = u.reason ?? null;
        const { changes } = this.#mark.run(u.status, reason, now, u.id);
        // Only a row that exists gets a dead letter: a mark for an id whose append failed
        // must not fail the foreign key and take the rest of the batch down with it.
        if (u.status === "dead" && changes > 0) this.#dead.run(u.id, u.reason, now);
      }
      this.#markHandled(handled, now);
    });
  }

  #markHandled(ids: readonly number[], now: number): void {
    for (const id of ids) this.#mark.run("handled", null, now, id);
  }

  /** Inserts entries[from, from + _CHUNK), none of them dead, with two statements. */
  #insertMany(entries: readonly LogEntry[], from: number, now: number): void {
    const messages: (string | number | null)[] = [];
    const deliveries: (string | number | null)[] = [];
    const dead: LogEntry[] = [];
    for (let i = from; i < from + _CHUNK; i++) {
      const e = entries[i]!;
      const status = e.status ?? "accepted";
      messages.push(..._messageRow(e));
      deliveries.push(e.id, e.receiver, status, e.reason ?? null, now);
      if (status === "dead") dead.push(e);
    }
    this.#insertChunk.run(...messages);
    this.#insertDeliveryChunk.run(...deliveries);
    for (const e of dead) this.#dead.run(e.id, e.reason ?? "", now);
  }

  /** Every delivery in the conversation, in log order. */
  byConversation(conversationId: string): LoggedMessage[] {
    return (this.#byConversation.all(conversationId) as Record<string, unknown>[]).map(_toLogged);
  }

  /**
   * Deliveries `name` sent or received after position `since`, in log order,
   * at most `limit`. Walks the log from `since`, so page with the last id seen.
   */
  byAgent(name: string, options: { since?: number; limit?: number } = {}): LoggedMessage[] {
    const { since = 0, limit = 100 } = options;
    return (this.#byAgent.all(since, name, limit) as Record<string, unknown>[]).map(_toLogged);
  }

  /**
   * Deliveries accepted in `[from, to)` (Unix epoch milliseconds), in log
   * order, after position `after`, at most `limit`.
   */
  between(
    from: number,
    to: number,
    options: { after?: number; limit?: number } = {},
  ): LoggedMessage[] {
    const { after = 0, limit = 100 } = options;
    return (this.#between.all(from, to, after, limit) as Record<string, unknown>[]).map(
      _toLogged,
    );
  }

  /**
   * Deliveries accepted or delivered but not handled, in log order: what a
   * restart redelivers (all of them, or one receiver's after its worker was replaced).
   */
  unfinished(options: { receiver?: string } = {}): LoggedMessage[] {
    const rows = options.receiver === undefined
      ? this.#unfinished.all()
      : this.#unfinishedFor.all(options.receiver);
    return (rows as Record<string, unknown>[]).map(_toLogged);
  }

  /** The most recent dead letters, newest first. */
  deadLetters(options: { limit?: number } = {}): DeadLetter[] {
    const { limit = 100 } = options;
    return (this.#deadLetters.all(limit) as Record<string, unknown>[]).map((row) => ({
      ..._toLogged(row),
      deadAt: row.dead_at as number,
    }));
  }

  /**
   * Deletes finished deliveries (handled, failed, dead) before position
   * `beforeId`, with their dead letters; unfinished ones stay until handled,
   * and so does the newest row.
   * Returns how many were deleted.
   */
  prune(beforeId: number): number {
    return this.#transaction(() => Number(this.#prune.run(beforeId).changes));
  }
}
