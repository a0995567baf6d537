/**
 * The durable message log: one row per delivery, its delivery state and the
 * dead letters; a message's body stored once for all its receivers. Written
 * in batches by {@linkcode GroupCommitWriter}; read after a restart to
 * redeliver what was accepted but never handled; pruned by retention.ts.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AclMessage } from "../acl/mod.ts";
import type {
  DeadLetter,
  DeliveryStatus,
  LogEntry,
  LoggedMessage,
  LogSize,
  MarkUpdate,
  Pruned,
} from "./log_records.ts";
import { batchBodies, MAX_BODY_SPAN, ROW_BYTES } from "./message_bodies.ts";

const _COLUMNS = `SELECT m.id, m.accepted_at, m.receiver, b.body, m.trace_id,
    d.status, d.reason, d.updated_at`;
const _SELECT = `${_COLUMNS} FROM messages m JOIN deliveries d ON d.message_id = m.id
  JOIN message_bodies b ON b.id = m.body_id`;
// Through the small partial index, never a walk of the whole log. The WHERE term must
// repeat the index's word for word for SQLite to accept it.
const _UNFINISHED = `${_COLUMNS} FROM deliveries d INDEXED BY deliveries_unfinished
  JOIN messages m ON m.id = d.message_id JOIN message_bodies b ON b.id = m.body_id
  WHERE d.status IN ('accepted', 'delivered')`;

function _toLogged(row: _Row): LoggedMessage {
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
function _messageRow(e: LogEntry, bodyId: number): (string | number | null)[] {
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
    bodyId,
    e.traceId ?? null,
  ];
}

/** Rows per multi-row INSERT (10 parameters each, far below SQLite's 32,766). */
const _CHUNK = 64;
/** Ids per "handled" UPDATE. */
const _MARK_CHUNK = 256;
/** Bodies read per step when looking for the oldest bytes to free. */
const _WALK_PAGE = 512;

type _Row = Record<string, unknown>;

/** Repository of the message log. Each write method is one transaction. */
export class MessageLog {
  readonly #transaction: <T>(fn: () => T) => T;
  readonly #lastId: StatementSync;
  readonly #insert: StatementSync;
  readonly #insertDelivery: StatementSync;
  readonly #insertBody: StatementSync;
  readonly #mark: StatementSync;
  /** The same writes for _CHUNK rows in one statement: each `run` crosses into SQLite once. */
  readonly #insertChunk: StatementSync;
  readonly #insertDeliveryChunk: StatementSync;
  readonly #insertBodyChunk: StatementSync;
  readonly #markHandledChunk: StatementSync;
  readonly #dead: StatementSync;
  readonly #addTotals: StatementSync;
  readonly #totals: StatementSync;
  readonly #byConversation: StatementSync;
  readonly #byAgent: StatementSync;
  readonly #between: StatementSync;
  readonly #unfinished: StatementSync;
  readonly #unfinishedFor: StatementSync;
  readonly #deadLetters: StatementSync;
  readonly #pruneRows: StatementSync;
  readonly #pruneBodies: StatementSync;
  readonly #firstFrom: StatementSync;
  readonly #firstAcceptedFrom: StatementSync;
  readonly #oldestBodies: StatementSync;
  #pruned: Pruned = { deliveries: 0, bytes: 0 };

  /** `transaction` is the store's, so a batch joins an enclosing transaction. */
  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T) {
    this.#transaction = transaction;
    this.#lastId = db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM messages");
    const rows = (n: number, width: number) =>
      Array.from({ length: n }, () => `(${Array(width).fill("?").join(", ")})`).join(", ");
    const insertMessages = `INSERT INTO messages (id, accepted_at, sender, receiver,
      conversation_id, performative, reply_with, in_reply_to, body_id, trace_id) VALUES `;
    const insertDeliveries =
      `INSERT INTO deliveries (message_id, receiver, status, reason, updated_at) VALUES `;
    const insertBodies = `INSERT INTO message_bodies (id, last_id, bytes, body) VALUES `;
    this.#insert = db.prepare(insertMessages + rows(1, 10));
    this.#insertDelivery = db.prepare(insertDeliveries + rows(1, 5));
    this.#insertBody = db.prepare(insertBodies + rows(1, 4));
    this.#insertChunk = db.prepare(insertMessages + rows(_CHUNK, 10));
    this.#insertDeliveryChunk = db.prepare(insertDeliveries + rows(_CHUNK, 5));
    this.#insertBodyChunk = db.prepare(insertBodies + rows(_CHUNK, 4));
    this.#mark = db.prepare(
      "UPDATE deliveries SET status = ?, reason = ?, updated_at = ? WHERE message_id = ?",
    );
    this.#markHandledChunk = db.prepare(
      `UPDATE deliveries SET status = 'handled', reason = NULL, updated_at = ?
       WHERE message_id IN (${Array(_MARK_CHUNK).fill("?").join(", ")})`,
    );
    this.#dead = db.prepare(
      "INSERT OR REPLACE INTO dead_letters (message_id, reason, at) VALUES (?, ?, ?)",
    );
    this.#addTotals = db.prepare(
      `UPDATE message_log_totals SET deliveries = deliveries + ?, body_bytes = body_bytes + ?
       WHERE id = 1`,
    );
    this.#totals = db.prepare(
      "SELECT deliveries, body_bytes FROM message_log_totals WHERE id = 1",
    );
    this.#byConversation = db.prepare(`${_SELECT} WHERE m.conversation_id = ? ORDER BY m.id`);
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
    // Finished deliveries only, by a range of the deliveries' primary key; the cascade takes
    // their deliveries and dead_letters rows.
    this.#pruneRows = db.prepare(
      `DELETE FROM messages WHERE id IN (SELECT message_id FROM deliveries
         WHERE message_id >= ?1 AND message_id < ?2 AND status IN ('handled', 'failed', 'dead'))`,
    );
    // A body goes with the last row of its range: [id, last_id] holds its rows and no other.
    this.#pruneBodies = db.prepare(
      `DELETE FROM message_bodies WHERE id >= ?1 AND id < ?2 AND NOT EXISTS
         (SELECT 1 FROM messages m WHERE m.id BETWEEN message_bodies.id AND message_bodies.last_id)
       RETURNING bytes`,
    );
    this.#firstFrom = db.prepare("SELECT MIN(id) AS id FROM messages WHERE id >= ?");
    this.#firstAcceptedFrom = db.prepare(
      "SELECT id FROM messages WHERE accepted_at >= ? ORDER BY accepted_at LIMIT 1",
    );
    this.#oldestBodies = db.prepare(
      "SELECT id, last_id, bytes FROM message_bodies WHERE id > ? ORDER BY id LIMIT ?",
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

  /**
   * Logs `entries`, then applies `updates`, in one transaction: all land or
   * none do. Consecutive positions with the same body (one message's
   * receivers) share one stored body.
   */
  writeBatch(entries: readonly LogEntry[], updates: readonly MarkUpdate[]): void {
    const now = Date.now();
    this.#transaction(() => {
      if (entries.length > 0) this.#append(entries, now);
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

  #append(entries: readonly LogEntry[], now: number): void {
    const bodies = batchBodies(entries);
    const count = bodies.rows.length / 4;
    let b = 0;
    for (; b + _CHUNK <= count; b += _CHUNK) {
      this.#insertBodyChunk.run(...bodies.rows.slice(b * 4, (b + _CHUNK) * 4));
    }
    for (; b < count; b++) this.#insertBody.run(...bodies.rows.slice(b * 4, b * 4 + 4));
    let from = 0;
    for (; from + _CHUNK <= entries.length; from += _CHUNK) {
      this.#insertMany(entries, bodies.of, from, now);
    }
    for (let i = from; i < entries.length; i++) {
      const e = entries[i]!;
      const status = e.status ?? "accepted";
      const reason = e.reason ?? null;
      this.#insert.run(..._messageRow(e, bodies.of[i]!));
      this.#insertDelivery.run(e.id, e.receiver, status, reason, now);
      if (status === "dead") this.#dead.run(e.id, reason ?? "", now);
    }
    this.#addTotals.run(entries.length, bodies.bytes);
  }

  #markHandled(ids: readonly number[], now: number): void {
    for (const id of ids) this.#mark.run("handled", null, now, id);
  }

  /** Inserts entries[from, from + _CHUNK) with two statements. */
  #insertMany(entries: readonly LogEntry[], bodyOf: number[], from: number, now: number): void {
    const messages: (string | number | null)[] = [];
    const deliveries: (string | number | null)[] = [];
    const dead: LogEntry[] = [];
    for (let i = from; i < from + _CHUNK; i++) {
      const e = entries[i]!;
      const status = e.status ?? "accepted";
      messages.push(..._messageRow(e, bodyOf[i]!));
      deliveries.push(e.id, e.receiver, status, e.reason ?? null, now);
      if (status === "dead") dead.push(e);
    }
    this.#insertChunk.run(...messages);
    this.#insertDeliveryChunk.run(...deliveries);
    for (const e of dead) this.#dead.run(e.id, e.reason ?? "", now);
  }

  /** Every delivery in the conversation, in log order. */
  byConversation(conversationId: string): LoggedMessage[] {
    return (this.#byConversation.all(conversationId) as _Row[]).map(_toLogged);
  }

  /**
   * Deliveries `name` sent or received after position `since`, in log order,
   * at most `limit`. Walks the log from `since`, so page with the last id seen.
   */
  byAgent(name: string, options: { since?: number; limit?: number } = {}): LoggedMessage[] {
    const { since = 0, limit = 100 } = options;
    return (this.#byAgent.all(since, name, limit) as _Row[]).map(_toLogged);
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
    return (this.#between.all(from, to, after, limit) as _Row[]).map(_toLogged);
  }

  /**
   * Deliveries accepted or delivered but not handled, in log order: what a
   * restart redelivers (all of them, or one receiver's after its worker was replaced).
   */
  unfinished(options: { receiver?: string } = {}): LoggedMessage[] {
    const rows = options.receiver === undefined
      ? this.#unfinished.all()
      : this.#unfinishedFor.all(options.receiver);
    return (rows as _Row[]).map(_toLogged);
  }

  /** The most recent dead letters, newest first. */
  deadLetters(options: { limit?: number } = {}): DeadLetter[] {
    const { limit = 100 } = options;
    return (this.#deadLetters.all(limit) as _Row[]).map((row) => ({
      ..._toLogged(row),
      deadAt: row.dead_at as number,
    }));
  }

  /** What the log holds now (read from a running total, no scan). */
  size(): LogSize {
    const row = this.#totals.get() as { deliveries: number; body_bytes: number };
    return { deliveries: row.deliveries, bytes: row.body_bytes + row.deliveries * ROW_BYTES };
  }

  /** What {@linkcode prune} deleted since the store was opened. */
  get pruned(): Pruned {
    return { ...this.#pruned };
  }

  /** The first position at or after `from` still in the log, or undefined. */
  firstId(from = 0): number | undefined {
    return (this.#firstFrom.get(from) as { id: number | null }).id ?? undefined;
  }

  /**
   * The position of the first delivery accepted at or after `time` (Unix
   * epoch milliseconds), or undefined when all came before.
   */
  firstAcceptedFrom(time: number): number | undefined {
    return (this.#firstAcceptedFrom.get(time) as { id: number } | undefined)?.id;
  }

  /**
   * The position before which the oldest deliveries add up to at least
   * `bytes` (estimated as {@linkcode size} does), or undefined when the
   * whole log does not.
   */
  positionFreeing(bytes: number): number | undefined {
    let total = 0;
    let after = -1;
    for (;;) {
      const page = this.#oldestBodies.all(after, _WALK_PAGE) as {
        id: number;
        last_id: number;
        bytes: number;
      }[];
      if (page.length === 0) return undefined;
      for (const b of page) {
        total += b.bytes + (b.last_id - b.id + 1) * ROW_BYTES;
        if (total >= bytes) return b.last_id + 1;
      }
      after = page.at(-1)!.id;
    }
  }

  /**
   * Deletes finished deliveries (handled, failed, dead) at positions in
   * `[from, beforeId)`, with their dead letters and the bodies no delivery
   * needs any more, in one transaction. Unfinished deliveries stay until
   * handled, and so does the newest row, so positions are never reused
   * (cheaper than AUTOINCREMENT, which costs ~12% of append throughput).
   */
  prune(beforeId: number, options: { from?: number } = {}): Pruned {
    const { from = 0 } = options;
    const pruned = this.#transaction((): Pruned => {
      const to = Math.min(beforeId, this.lastId());
      if (to <= from) return { deliveries: 0, bytes: 0 };
      const deliveries = Number(this.#pruneRows.run(from, to).changes);
      if (deliveries === 0) return { deliveries: 0, bytes: 0 };
      let bodyBytes = 0;
      for (const row of this.#pruneBodies.all(from - MAX_BODY_SPAN, to) as { bytes: number }[]) {
        bodyBytes += row.bytes;
      }
      this.#addTotals.run(-deliveries, -bodyBytes);
      return { deliveries, bytes: bodyBytes + deliveries * ROW_BYTES };
    });
    this.#pruned = {
      deliveries: this.#pruned.deliveries + pruned.deliveries,
      bytes: this.#pruned.bytes + pruned.bytes,
    };
    return pruned;
  }
}
