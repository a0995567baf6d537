/** What the message log really takes on disk, for tests and bench/message_log.ts. */
import { DatabaseSync } from "node:sqlite";

/** Bytes SQLite holds for the message log's tables and indexes (dbstat: every page). */
export function messageLogBytes(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare(
      `SELECT SUM(pgsize) AS b FROM dbstat WHERE name IN ('messages', 'deliveries',
         'message_bodies', 'dead_letters', 'messages_by_conversation',
         'messages_by_accepted_at', 'deliveries_unfinished')`,
    ).get() as { b: number }).b;
  } finally {
    db.close();
  }
}
