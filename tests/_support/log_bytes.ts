/** What the message log really takes on disk, for tests and bench/message_log.ts. */
import { DatabaseSync } from "node:sqlite";

/** Bytes SQLite holds for the message log's tables and indexes (dbstat: every page). */
export function messageLogBytes(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare(
      `SELECT SUM(pgsize) AS b FROM dbstat WHERE name IN (
         'log_records', 'log_outcomes', 'log_watermarks', 'handled_marks',
         'log_index', 'log_index_by_key', 'log_meta')`,
    ).get() as { b: number }).b;
  } finally {
    db.close();
  }
}
