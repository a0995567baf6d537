/**
 * The message log's writer thread: its own SQLite connection to the data
 * file (WAL, synchronous = NORMAL), one transaction per batch the routing
 * thread hands over, and the read model built behind while no batch waits.
 * Protocol in log_writer.ts.
 */
/// <reference lib="deno.worker" />
import { DatabaseSync } from "node:sqlite";
import { LogWrites } from "./log_writes.ts";
import type { WriterReply, WriterRequest } from "./log_writer.ts";

/** Records added to the read model per step while the writer is idle. */
const _INDEX_STEP = 1_024;
/** How long the writer must have been idle before it indexes. */
const _INDEX_IDLE_MS = 5;

let db: DatabaseSync | undefined;
let writes: LogWrites | undefined;
let indexTimer: ReturnType<typeof setTimeout> | undefined;

const reply = (message: WriterReply) => self.postMessage(message);

function transaction(fn: () => void): void {
  db!.exec("BEGIN IMMEDIATE");
  try {
    fn();
    db!.exec("COMMIT");
  } catch (error) {
    db!.exec("ROLLBACK");
    throw error;
  }
}

/** Builds the read model a step at a time, only while no batch arrives. */
function indexLater(): void {
  clearTimeout(indexTimer);
  indexTimer = setTimeout(() => {
    let indexed = 0;
    try {
      transaction(() => indexed = writes!.indexBehind(_INDEX_STEP));
    } catch {
      return; // tried again after the next batch
    }
    if (indexed === _INDEX_STEP) indexLater();
  }, _INDEX_IDLE_MS);
}

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const request = event.data;
  switch (request.kind) {
    case "open":
      try {
        db = new DatabaseSync(request.path);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA busy_timeout = 5000");
        writes = new LogWrites(db);
        reply({ kind: "opened" });
        indexLater();
      } catch (error) {
        reply({ kind: "failed", seq: 0, message: (error as Error).message });
      }
      return;
    case "write":
      try {
        transaction(() => writes!.writePacked(request.packed, request.rest));
        reply({ kind: "written", seq: request.seq });
      } catch (error) {
        reply({ kind: "failed", seq: request.seq, message: (error as Error).message });
      }
      indexLater();
      return;
    case "close":
      clearTimeout(indexTimer);
      db?.close();
      reply({ kind: "closed" });
      return;
  }
};
