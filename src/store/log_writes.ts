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
  readonly #indexKey: StatementSync;
  readonly #indexed: StatementSync;

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
      `SELECT id, receivers, body FROM log_records
       WHERE id > (SELECT indexed_through FROM log_meta) ORDER BY id LIMIT ?`,
    );
    this.#indexKey = db.prepare("INSERT OR IGNORE INTO log_index (id, key) VALUES (?, ?)");
    this.#indexed = db.prepare("UPDATE log_meta SET indexed_through = ? WHERE id = 1");
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
    const rows = this.#toIndex.all(limit) as { id: number; receivers: string; body: string }[];
    for (const row of rows) {
      for (const key of indexKeys(row)) this.#indexKey.run(row.id, key);
    }
    if (rows.length > 0) this.#indexed.run(rows.at(-1)!.id);
    return rows.length;
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

/** The read model's keys of one record. */
export function indexKeys(row: { receivers: string; body: string }): Set<string> {
  const keys = new Set<string>();
  try {
    const m = JSON.parse(row.body) as { sender?: unknown; conversationId?: unknown };
    if (typeof m.conversationId === "string") keys.add(`c:${m.conversationId}`);
    if (typeof m.sender === "string") keys.add(`a:${m.sender}`);
  } catch {
    // A body is always JSON the router wrote; an unreadable one is only left out of the index.
  }
  for (const r of JSON.parse(row.receivers) as string[]) keys.add(`a:${r}`);
  return keys;
}

/** A record's receivers as stored. */
export type StoredRecord = Pick<LogRecord, "id" | "at" | "body"> & {
  receivers: string;
  trace_id: string | null;
};
