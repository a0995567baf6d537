/**
 * The message log's writes, on whichever connection owns them (the writer
 * worker's, or the store's own for an in-memory store): a batch of records,
 * outcomes and watermarks, and the read model built behind them. The caller
 * wraps each call in a transaction.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { Buffer } from "node:buffer";
import type { LogBatch, LogRecord } from "./log_records.ts";

/** Records per multi-row INSERT (5 parameters each). */
const _CHUNK = 64;

/** Writes log batches and indexes them behind. */
export class LogWrites {
  readonly #insert: StatementSync;
  readonly #insertChunk: StatementSync;
  readonly #outcome: StatementSync;
  readonly #watermark: StatementSync;
  readonly #meta: StatementSync;
  readonly #toIndex: StatementSync;
  readonly #indexKeys: StatementSync;
  readonly #indexed: StatementSync;
  readonly #indexedThrough: StatementSync;

  constructor(db: DatabaseSync) {
    const values = (n: number) => Array(n).fill("(?, ?, ?, ?, ?)").join(", ");
    const insert = "INSERT INTO log_records (id, at, receivers, body, trace_id) VALUES ";
    this.#insert = db.prepare(insert + values(1));
    this.#insertChunk = db.prepare(insert + values(_CHUNK));
    this.#outcome = db.prepare(
      "INSERT OR REPLACE INTO log_outcomes (id, status, reason, at) VALUES (?, ?, ?, ?)",
    );
    this.#watermark = db.prepare(
      `INSERT INTO log_watermarks (receiver, through) VALUES (?, ?)
       ON CONFLICT (receiver) DO UPDATE SET through = MAX(through, excluded.through)`,
    );
    this.#meta = db.prepare(
      `UPDATE log_meta SET last_id = MAX(last_id, ?1), done_through = MAX(done_through, ?2),
         deliveries = deliveries + ?3, body_bytes = body_bytes + ?4 WHERE id = 1`,
    );
    this.#toIndex = db.prepare(
      `SELECT MAX(id) AS through, COUNT(*) AS n FROM (SELECT id FROM log_records
       WHERE id > ? ORDER BY id LIMIT ?)`,
    );
    // The read model's keys of each record (its conversation, its sender, its receivers), in
    // SQL: no row crosses into JavaScript (measured: parsing and binding rows in JavaScript
    // cost as much again as SQLite's inserts, and this thread shares the cores with routing).
    this.#indexKeys = db.prepare(
      `WITH r AS (
         SELECT id, receivers,
           CASE WHEN json_valid(body) THEN json_extract(body, '$.conversationId') END AS c,
           CASE WHEN json_valid(body) THEN json_extract(body, '$.sender') END AS s
         FROM log_records WHERE id > ?1 AND id <= ?2)
       INSERT OR IGNORE INTO log_index (id, key)
         SELECT id, 'c:' || c FROM r WHERE typeof(c) = 'text'
         UNION ALL SELECT id, 'a:' || s FROM r WHERE typeof(s) = 'text'
         UNION ALL SELECT r.id, 'a:' || j.value FROM r, json_each(r.receivers) AS j`,
    );
    this.#indexed = db.prepare("UPDATE log_meta SET indexed_through = ? WHERE id = 1");
    this.#indexedThrough = db.prepare("SELECT indexed_through AS n FROM log_meta");
  }

  /** Writes one batch (inside the caller's transaction). */
  write(batch: LogBatch): void {
    this.writePacked(packRecords(batch.records), batch);
  }

  /**
   * Writes records packed by {@linkcode packRecords} and the rest of a batch
   * (inside the caller's transaction).
   */
  writePacked(packed: string, rest: Omit<LogBatch, "records">): void {
    // Five lines per record: id, at, receivers (JSON), body (JSON), trace id or "".
    const fields = packed === "" ? [] : packed.split("\n");
    const count = Math.floor(fields.length / 5);
    let deliveries = 0;
    let bytes = 0;
    const row = (k: number): (string | number | null)[] => {
      const f = k * 5;
      const receivers = fields[f + 2]!;
      const body = fields[f + 3]!;
      deliveries += _receiverCount(receivers);
      bytes += Buffer.byteLength(body);
      return [Number(fields[f]), Number(fields[f + 1]), receivers, body, fields[f + 4] || null];
    };
    let i = 0;
    for (; i + _CHUNK <= count; i += _CHUNK) {
      const params: (string | number | null)[] = [];
      for (let k = i; k < i + _CHUNK; k++) params.push(...row(k));
      this.#insertChunk.run(...params);
    }
    for (; i < count; i++) this.#insert.run(...row(i));
    for (const o of rest.outcomes) this.#outcome.run(o.id, o.status, o.reason, o.at);
    for (const [receiver, through] of rest.watermarks) this.#watermark.run(receiver, through);
    this.#meta.run(rest.lastId, rest.doneThrough, deliveries, bytes);
  }

  /**
   * Adds up to `limit` records not yet in the read model to it (conversation,
   * sender, receivers). Returns how many were indexed (0: caught up).
   */
  indexBehind(limit: number): number {
    const from = (this.#indexedThrough.get() as { n: number }).n;
    const { through, n } = this.#toIndex.get(from, limit) as { through: number | null; n: number };
    if (through === null) return 0;
    this.#indexKeys.run(from, through);
    this.#indexed.run(through);
    return n;
  }
}

/** Names JSON writes as they are (agent and ext: names): '["' + name + '"]' is their array. */
const _PLAIN = /^[\w.:@/-]*$/;

/**
 * Records as one string, five lines each, for the hand-over to the writer
 * worker: a string crosses threads as one copy, where objects are cloned
 * field by field (measured here: ~4 us per record as objects, <1 us packed).
 * JSON text never holds a raw newline.
 */
export function packRecords(records: readonly LogRecord[]): string {
  let packed = "";
  for (const r of records) {
    const names = r.receivers;
    const receivers = names.length === 1 && _PLAIN.test(names[0]!)
      ? `["${names[0]}"]`
      : JSON.stringify(names);
    const body = r.body.includes("\n") ? JSON.stringify(JSON.parse(r.body)) : r.body;
    packed += `${packed === "" ? "" : "\n"}${r.id}\n${r.at}\n${receivers}\n${body}\n${
      r.traceId ?? ""
    }`;
  }
  return packed;
}

/** Receivers in a JSON array of names, counted without parsing it. */
function _receiverCount(json: string): number {
  if (json === "[]") return 0;
  let n = 1;
  // Names are strings: a comma outside one separates two of them.
  let inString = false;
  for (let i = 1; i < json.length - 1; i++) {
    const c = json.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 34 /* " */) inString = !inString;
    else if (c === 44 /* , */ && !inString) n++;
  }
  return n;
}

/** A record's receivers as stored. */
export type StoredRecord = Pick<LogRecord, "id" | "at" | "body"> & {
  receivers: string;
  trace_id: string | null;
};
