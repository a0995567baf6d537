/**
 * The durable message log: one append-only row per message with its
 * receivers inside (`log_records`), "handled" as a watermark per receiver,
 * failures and dead letters as rows of their own, and a read model (by
 * conversation, by agent) that the writer builds behind the appends. Written
 * in batches through a {@linkcode GroupCommitWriter}; read after a restart to
 * redeliver what was accepted but never done; pruned by retention.ts.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AclMessage } from "../acl/mod.ts";
import type { DeadLetter, LogBatch, LoggedMessage, LogSize, Pruned } from "./log_records.ts";
import { LogWrites, type StoredRecord } from "./log_writes.ts";

/** Most receivers one record holds: bounds how far before a position its record starts. */
export const MAX_RECORD_SPAN = 1024;
/**
 * Estimated bytes of one delivery apart from its message body: its share of
 * the record row, its receiver name, its read-model keys and page overhead.
 * Measured with SQLite's dbstat; tests/store/message_bodies_test.ts keeps the
 * estimate near the truth.
 */
export const ROW_BYTES = 160;
/** Records read per step when looking for the oldest bytes to free. */
const _WALK_PAGE = 512;

const _COLUMNS = "SELECT id, at, receivers, body, trace_id FROM log_records";

type _Marks = Map<string, number>;

/** The log_meta row. */
interface _Meta {
  last_id: number;
  done_through: number;
  indexed_through: number;
  deliveries: number;
  body_bytes: number;
}

/** A failed or dead delivery's row. */
interface _Outcome {
  id: number;
  status: "failed" | "dead";
  reason: string;
  at: number;
}

/** Repository of the message log. Each write method is one transaction. */
export class MessageLog {
  readonly #transaction: <T>(fn: () => T) => T;
  readonly #writes: LogWrites;
  readonly #meta: StatementSync;
  readonly #marks: StatementSync;
  readonly #handled: StatementSync;
  readonly #range: StatementSync;
  readonly #byKey: StatementSync;
  readonly #tailConversation: StatementSync;
  readonly #tailAgent: StatementSync;
  readonly #outcomes: StatementSync;
  readonly #dead: StatementSync;
  readonly #covering: StatementSync;
  readonly #firstFrom: StatementSync;
  readonly #lastRecord: StatementSync;
  readonly #walk: StatementSync;
  readonly #deleteRecord: StatementSync;
  readonly #deleteOutcomes: StatementSync;
  readonly #deleteKeys: StatementSync;
  readonly #shrink: StatementSync;
  #pruned: Pruned = { deliveries: 0, bytes: 0 };

  /** `transaction` is the store's, so a batch joins an enclosing transaction. */
  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T) {
    this.#transaction = transaction;
    this.#writes = new LogWrites(db);
    this.#meta = db.prepare("SELECT * FROM log_meta WHERE id = 1");
    this.#marks = db.prepare(
      `SELECT receiver, MAX(through) AS through FROM (SELECT receiver, through FROM log_watermarks
         UNION ALL SELECT receiver, through FROM handled_marks) GROUP BY receiver`,
    );
    this.#handled = db.prepare(
      `INSERT INTO handled_marks (receiver, through) VALUES (?, ?)
       ON CONFLICT (receiver) DO UPDATE SET through = MAX(through, excluded.through)`,
    );
    this.#range = db.prepare(`${_COLUMNS} WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3`);
    // The read model up to indexed_through, then the records not yet indexed, scanned.
    this.#byKey = db.prepare(
      `${_COLUMNS} WHERE id IN (SELECT id FROM log_index WHERE key = ?1 AND id > ?2)
       ORDER BY id LIMIT ?3`,
    );
    this.#tailConversation = db.prepare(
      `${_COLUMNS} WHERE id > ?1 AND json_extract(body, '$.conversationId') = ?2 ORDER BY id`,
    );
    this.#tailAgent = db.prepare(
      `${_COLUMNS} WHERE id > ?1 AND (json_extract(body, '$.sender') = ?2
         OR EXISTS (SELECT 1 FROM json_each(receivers) WHERE value = ?2)) ORDER BY id LIMIT ?3`,
    );
    this.#outcomes = db.prepare(
      "SELECT id, status, reason, at FROM log_outcomes WHERE id >= ? AND id <= ?",
    );
    this.#dead = db.prepare(
      "SELECT id FROM log_outcomes WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
    );
    this.#covering = db.prepare(`${_COLUMNS} WHERE id <= ? ORDER BY id DESC LIMIT 1`);
    this.#firstFrom = db.prepare("SELECT MIN(id) AS id FROM log_records WHERE id >= ?");
    this.#lastRecord = db.prepare("SELECT MAX(id) AS id FROM log_records");
    this.#walk = db.prepare(
      `SELECT id, json_array_length(receivers) AS n, octet_length(body) AS bytes
       FROM log_records WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.#deleteRecord = db.prepare(
      "DELETE FROM log_records WHERE id = ? RETURNING json_array_length(receivers) AS n, octet_length(body) AS bytes",
    );
    this.#deleteOutcomes = db.prepare("DELETE FROM log_outcomes WHERE id >= ? AND id < ?");
    this.#deleteKeys = db.prepare("DELETE FROM log_index WHERE id = ?");
    this.#shrink = db.prepare(
      "UPDATE log_meta SET deliveries = deliveries - ?, body_bytes = body_bytes - ? WHERE id = 1",
    );
  }

  /**
   * The highest position handed out, 0 for an empty log: new positions
   * start above it. Prune never lowers it.
   */
  lastId(): number {
    let last = this.#metaRow().last_id;
    for (const through of this.#watermarks().values()) last = Math.max(last, through);
    return last;
  }

  /** Writes one group commit's batch, in one transaction: all of it lands or none does. */
  writeBatch(batch: LogBatch): void {
    this.#transaction(() => this.#writes.write(batch));
  }

  /**
   * Records that every delivery to each receiver at or before its position is
   * handled, in the caller's transaction (the agent state's, so the two commit together).
   */
  commitHandled(marks: Iterable<readonly [receiver: string, through: number]>): void {
    this.#transaction(() => {
      for (const [receiver, through] of marks) this.#handled.run(receiver, through);
    });
  }

  /** Builds up to `limit` records' worth of the read model; returns how many (0: caught up). */
  indexBehind(limit = 4_096): number {
    return this.#transaction(() => this.#writes.indexBehind(limit));
  }

  /** Every delivery in the conversation, in log order. */
  byConversation(conversationId: string): LoggedMessage[] {
    const indexed = this.#metaRow().indexed_through;
    const rows = [
      ...this.#byKey.all(`c:${conversationId}`, 0, -1),
      ...this.#tailConversation.all(indexed, conversationId),
    ] as StoredRecord[];
    return this.#expand(_unique(rows));
  }

  /**
   * Deliveries `name` sent or received after position `since`, in log order,
   * at most `limit`. Page with the last id seen.
   */
  byAgent(name: string, options: { since?: number; limit?: number } = {}): LoggedMessage[] {
    const { since = 0, limit = 100 } = options;
    const indexed = this.#metaRow().indexed_through;
    const rows = this.#byKey.all(`a:${name}`, since, limit) as StoredRecord[];
    if (rows.length < limit) {
      rows.push(...this.#tailAgent.all(Math.max(since, indexed), name, limit) as StoredRecord[]);
    }
    // The record holding position `since` may hold later positions too (its other receivers).
    rows.push(...this.#around(since));
    return this.#expand(
      _unique(rows),
      (r) => r.id > since && (r.receiver === name || r.message.sender === name),
    ).slice(0, limit);
  }

  /**
   * Deliveries accepted in `[from, to)` (Unix epoch milliseconds), in log
   * order, after position `after`, at most `limit`. Records are in time
   * order, so both ends are found by bisection, without an index.
   */
  between(
    from: number,
    to: number,
    options: { after?: number; limit?: number } = {},
  ): LoggedMessage[] {
    const { after = 0, limit = 100 } = options;
    const start = Math.max(this.#firstAt(from) ?? Infinity, after + 1);
    const end = this.#firstAt(to) ?? this.lastId() + 1;
    const rows = start < end ? this.#range.all(start, end, limit) as StoredRecord[] : [];
    rows.unshift(...this.#around(after));
    return this.#expand(
      rows,
      (r) => r.id > after && r.acceptedAt >= from && r.acceptedAt < to,
    ).slice(0, limit);
  }

  /**
   * Deliveries accepted but not done (above their receiver's watermark, no
   * outcome), in log order: what a restart redelivers.
   */
  unfinished(options: { receiver?: string } = {}): LoggedMessage[] {
    const from = Math.max(0, this.#metaRow().done_through - MAX_RECORD_SPAN + 1);
    const rows = this.#range.all(from, Number.MAX_SAFE_INTEGER, -1) as StoredRecord[];
    const { receiver } = options;
    return this.#expand(
      rows,
      (r) => r.status === "accepted" && (receiver === undefined || r.receiver === receiver),
    );
  }

  /** Positions and receivers of the deliveries {@linkcode unfinished} returns. */
  openDeliveries(): [id: number, receiver: string][] {
    return this.unfinished().map((r) => [r.id, r.receiver]);
  }

  /** The most recent dead letters, newest first. */
  deadLetters(options: { limit?: number } = {}): DeadLetter[] {
    const { limit = 100 } = options;
    const letters: DeadLetter[] = [];
    for (const { id } of this.#dead.all(limit) as { id: number }[]) {
      const record = this.#covering.get(id) as StoredRecord | undefined;
      const row = record && this.#expand([record], (r) => r.id === id)[0];
      if (row) letters.push({ ...row, deadAt: row.updatedAt });
    }
    return letters;
  }

  /** What the log holds now (read from running totals, no scan). */
  size(): LogSize {
    const meta = this.#metaRow();
    return { deliveries: meta.deliveries, bytes: meta.body_bytes + meta.deliveries * ROW_BYTES };
  }

  /** What {@linkcode prune} deleted since the store was opened. */
  get pruned(): Pruned {
    return { ...this.#pruned };
  }

  /** The first record position at or after `from` still in the log, or undefined. */
  firstId(from = 0): number | undefined {
    return (this.#firstFrom.get(from) as { id: number | null }).id ?? undefined;
  }

  /**
   * The position of the first delivery accepted at or after `time` (Unix
   * epoch milliseconds), or undefined when all came before.
   */
  firstAcceptedFrom(time: number): number | undefined {
    return this.#firstAt(time);
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
      const page = this.#walk.all(after, _WALK_PAGE) as { id: number; n: number; bytes: number }[];
      if (page.length === 0) return undefined;
      for (const r of page) {
        total += r.bytes + r.n * ROW_BYTES;
        if (total >= bytes) return r.id + r.n;
      }
      after = page.at(-1)!.id;
    }
  }

  /**
   * Deletes the records at positions in `[from, beforeId)` whose deliveries
   * are all done (handled, failed, dead), with their outcomes and read-model
   * keys, in one transaction. A record with any delivery not done stays.
   * Positions are never reused: the log's last position is kept apart.
   */
  prune(beforeId: number, options: { from?: number } = {}): Pruned {
    const { from = 0 } = options;
    const pruned = this.#transaction((): Pruned => {
      const rows = this.#range.all(from, beforeId, -1) as StoredRecord[];
      if (rows.length === 0) return { deliveries: 0, bytes: 0 };
      const marks = this.#watermarks();
      const outcomes = this.#outcomesOf(rows);
      let deliveries = 0;
      let bodyBytes = 0;
      for (const row of rows) {
        const receivers = JSON.parse(row.receivers) as string[];
        const done = receivers.every((r, i) =>
          outcomes.has(row.id + i) || row.id + i <= (marks.get(r) ?? 0)
        );
        if (!done) continue;
        const gone = this.#deleteRecord.get(row.id) as { n: number; bytes: number };
        this.#deleteOutcomes.run(row.id, row.id + receivers.length);
        this.#deleteKeys.run(row.id);
        deliveries += gone.n;
        bodyBytes += gone.bytes;
      }
      this.#shrink.run(deliveries, bodyBytes);
      return { deliveries, bytes: bodyBytes + deliveries * ROW_BYTES };
    });
    this.#pruned = {
      deliveries: this.#pruned.deliveries + pruned.deliveries,
      bytes: this.#pruned.bytes + pruned.bytes,
    };
    return pruned;
  }

  #metaRow(): _Meta {
    return this.#meta.get() as unknown as _Meta;
  }

  /** Per receiver, the higher of the writer's watermark and the state-committed one. */
  #watermarks(): _Marks {
    const marks: _Marks = new Map();
    for (const row of this.#marks.all() as { receiver: string; through: number }[]) {
      marks.set(row.receiver, row.through);
    }
    return marks;
  }

  #outcomesOf(rows: readonly StoredRecord[]): Map<number, _Outcome> {
    const outcomes = new Map<number, _Outcome>();
    if (rows.length === 0) return outcomes;
    const first = rows[0]!.id;
    const last = rows.at(-1)!.id + MAX_RECORD_SPAN;
    for (const o of this.#outcomes.all(first, last) as unknown as _Outcome[]) outcomes.set(o.id, o);
    return outcomes;
  }

  /** One row per delivery of each record, with its status; `keep` filters them. */
  #expand(rows: readonly StoredRecord[], keep?: (row: LoggedMessage) => boolean): LoggedMessage[] {
    const marks = this.#watermarks();
    const outcomes = this.#outcomesOf(rows);
    const out: LoggedMessage[] = [];
    for (const row of rows) {
      const message = JSON.parse(row.body) as AclMessage;
      const receivers = JSON.parse(row.receivers) as string[];
      receivers.forEach((receiver, i) => {
        const id = row.id + i;
        const outcome = outcomes.get(id);
        const logged: LoggedMessage = {
          id,
          acceptedAt: row.at,
          receiver,
          message,
          traceId: row.trace_id ?? null,
          status: outcome?.status ?? (id <= (marks.get(receiver) ?? 0) ? "handled" : "accepted"),
          reason: outcome?.reason ?? null,
          updatedAt: outcome?.at ?? row.at,
        };
        if (!keep || keep(logged)) out.push(logged);
      });
    }
    return out;
  }

  /** The record holding position `id` when it starts before it, so a page can start inside it. */
  #around(id: number): StoredRecord[] {
    if (id <= 0) return [];
    const record = this.#covering.get(id) as StoredRecord | undefined;
    return record && record.id < id && record.id > id - MAX_RECORD_SPAN ? [record] : [];
  }

  /** The first record accepted at or after `time`, by bisection over positions. */
  #firstAt(time: number): number | undefined {
    let lo = this.firstId(0);
    let hi = (this.#lastRecord.get() as { id: number | null }).id;
    if (lo === undefined || hi === null) return undefined;
    // The time of the first record at or after a position never decreases with the position.
    const atFrom = (x: number) =>
      (this.#range.get(x, Number.MAX_SAFE_INTEGER, 1) as StoredRecord).at;
    if (atFrom(hi) < time) return undefined;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (atFrom(mid) >= time) hi = mid;
      else lo = mid + 1;
    }
    return this.firstId(lo);
  }
}

/** Records in position order, each once (the read model and the tail may overlap). */
function _unique(rows: StoredRecord[]): StoredRecord[] {
  const seen = new Map<number, StoredRecord>();
  for (const row of rows) seen.set(row.id, row);
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
