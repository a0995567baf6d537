/**
 * A message's body is stored once for all its receivers: the deliveries of
 * one message get consecutive log positions from the router, so a run of
 * consecutive positions with the same body shares one `message_bodies` row
 * covering positions `id..last_id`.
 */
import { Buffer } from "node:buffer";
import type { LogEntry } from "./log_records.ts";

/**
 * Most consecutive positions that share one stored body. Bounds how far
 * before a pruned range a body that covered it can start.
 */
export const MAX_BODY_SPAN = 1024;
/**
 * Estimated bytes of one delivery apart from its body: its messages and
 * deliveries rows, their index entries and page overhead. Measured here
 * (SQLite's dbstat) at 226-250 bytes with UUID conversation ids and trace
 * ids; tests/store/message_bodies_test.ts keeps the estimate near the truth.
 */
export const ROW_BYTES = 240;

/** A batch's bodies, one per run of consecutive positions with the same body. */
export interface BatchBodies {
  /** The body id of each entry, by index. */
  of: number[];
  /** `message_bodies` columns (id, last_id, bytes, body), four per body. */
  rows: (string | number)[];
  bytes: number;
}

/** Groups a batch (in position order) into the bodies it stores. */
export function batchBodies(entries: readonly LogEntry[]): BatchBodies {
  const of = new Array<number>(entries.length);
  const rows: (string | number)[] = [];
  let bytes = 0;
  let first = -1;
  let text = "";
  const close = (last: number) => {
    const size = Buffer.byteLength(text);
    rows.push(entries[first]!.id, entries[last]!.id, size, text);
    bytes += size;
  };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    // The router hands every receiver of a message the same string: usually an identity test.
    const body = e.body ?? JSON.stringify(e.message);
    const start = entries[first]?.id ?? 0;
    if (
      first >= 0 && body === text && e.id === entries[i - 1]!.id + 1 && e.id - start < MAX_BODY_SPAN
    ) {
      of[i] = start;
      continue;
    }
    if (first >= 0) close(i - 1);
    first = i;
    text = body;
    of[i] = e.id;
  }
  if (first >= 0) close(entries.length - 1);
  return { of, rows, bytes };
}
