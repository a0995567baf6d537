/**
 * Message log benchmarks on a real SQLite file (WAL, synchronous = NORMAL),
 * schema version 7: one record per message, no index on the write path,
 * written by the log's writer worker (src/store/log_writer.ts).
 *
 * - message_log_append_rows_per_s: 200,000 appends through GroupCommitWriter into the
 *   writer worker, batches of 1,024, timed until the last batch is committed.
 * - message_log_append_handled_rows_per_s: the same, each row also marked handled one batch
 *   later (what steady traffic costs: a watermark per receiver, no row update).
 * - message_log_routing_thread_us_per_append: the routing thread's own time per append
 *   (append, mark and handing the batch over), the rest runs in the worker.
 * - message_log_raw_sqlite_rows_per_s: SQLite's ceiling here: the same rows into a bare
 *   table of the same shape (no index), 64 rows per INSERT, 1,024 per transaction, on one
 *   thread with nothing else to do. message_log_vs_raw_ratio: the first figure over this one.
 * - message_log_fanout64_bytes_per_message: what one message with 1 KiB of content to 64
 *   receivers adds to the log's tables and read model (dbstat).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { median, type Metric, report } from "./_report.ts";
import {
  GroupCommitWriter,
  LogWriterWorker,
  type MessageEntry,
  openStore,
} from "../src/store/mod.ts";
import { messageLogBytes } from "../tests/_support/log_bytes.ts";

const ROWS = 200_000;
const RUNS = 3;

function entry(i: number): MessageEntry {
  const message = {
    performative: "request" as const,
    sender: `client-${i % 50}`,
    receiver: [`agent-${i % 200}`],
    conversationId: `c-${i >> 3}`,
    replyWith: `r-${i}`,
    content: { n: i },
  };
  return {
    message,
    receiver: message.receiver[0]!,
    body: JSON.stringify(message),
    traceId: "0af7651916cd43dd8448eb211c80319c",
  };
}

async function inTempDir<T>(fn: (path: string) => Promise<T>): Promise<T> {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bench-log-" });
  try {
    return await fn(join(dir, "caxton.db"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Appends through the writer worker; returns rows/s and the routing thread's µs per append. */
async function appendLoop(
  markHandled: boolean,
  entries: MessageEntry[],
): Promise<{ rate: number; routingUs: number }> {
  return await inTempDir(async (path) => {
    using store = openStore(path);
    await using worker = await LogWriterWorker.open(path, store.messages);
    const writer = new GroupCommitWriter(worker);
    const t0 = performance.now();
    let routing = 0;
    let first = 0;
    // Appends arrive 1,024 per task, as a busy router hands them over.
    for (let i = 0; i < ROWS;) {
      const s = performance.now();
      for (const end = Math.min(ROWS, i + 1_024); i < end; i++) {
        const id = writer.append(entries[i]!);
        if (i === 0) first = id;
        // Mark the previous batch handled, as replies would arrive after it was written.
        if (markHandled && i >= 1_024) writer.mark(first + i - 1_024, "handled");
      }
      routing += performance.now() - s;
      await new Promise((r) => setTimeout(r, 0));
    }
    await writer.flush();
    const elapsed = performance.now() - t0;
    writer.close();
    return { rate: ROWS / (elapsed / 1000), routingUs: (routing * 1000) / ROWS };
  });
}

/** The same rows into a bare table of the same shape, on this thread: SQLite's ceiling. */
async function rawSqlite(entries: MessageEntry[]): Promise<number> {
  return await inTempDir((path) => {
    const db = new DatabaseSync(path);
    try {
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, receivers TEXT NOT NULL, body TEXT NOT NULL, trace_id TEXT)",
      );
      const insert = db.prepare(
        `INSERT INTO t VALUES ${Array(64).fill("(?, ?, ?, ?, ?)").join(", ")}`,
      );
      const t0 = performance.now();
      const now = Date.now();
      for (let b = 0; b < ROWS; b += 1_024) {
        db.exec("BEGIN");
        for (let c = b; c < b + 1_024 && c < ROWS; c += 64) {
          const params: (string | number)[] = [];
          for (let i = c; i < c + 64; i++) {
            const e = entries[i]!;
            params.push(i + 1, now, JSON.stringify([e.receiver]), e.body!, e.traceId!);
          }
          insert.run(...params);
        }
        db.exec("COMMIT");
      }
      return Promise.resolve(ROWS / ((performance.now() - t0) / 1000));
    } finally {
      db.close();
    }
  });
}

/** Log bytes per message of 1 KiB content to 64 receivers (size, not time: one run). */
async function fanOutBytes(): Promise<number> {
  return await inTempDir(async (path) => {
    using store = openStore(path);
    const writer = new GroupCommitWriter(store.messages);
    const before = messageLogBytes(path);
    const receiver = Array.from({ length: 64 }, (_, i) => `agent-${i}`);
    for (let i = 0; i < 200; i++) {
      const message = {
        performative: "inform" as const,
        sender: "client",
        receiver,
        conversationId: `c-${i}`,
        content: "x".repeat(1024),
      };
      const body = JSON.stringify(message);
      for (const r of receiver) {
        writer.mark(writer.append({ message, receiver: r, body }), "handled");
      }
      await writer.flush();
    }
    writer.close();
    store.messages.indexBehind(100_000);
    return (messageLogBytes(path) - before) / 200;
  });
}

export async function run(): Promise<void> {
  const entries = Array.from({ length: ROWS }, (_, i) => entry(i));
  const append: { rate: number; routingUs: number }[] = [];
  const handled: { rate: number; routingUs: number }[] = [];
  const raw: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    append.push(await appendLoop(false, entries));
    handled.push(await appendLoop(true, entries));
    raw.push(await rawSqlite(entries));
  }
  const fanOut = await fanOutBytes();
  const runs = (values: number[]) => values.map(Math.round).join(", ");
  const appendRate = median(append.map((a) => a.rate));
  const rawRate = median(raw);
  const metrics: Metric[] = [
    {
      metric: "message_log_append_rows_per_s",
      value: Math.round(appendRate),
      unit: "rows/s",
      note:
        `${ROWS} appends through GroupCommitWriter and the writer worker until committed (median of ${RUNS}: ${
          runs(append.map((a) => a.rate))
        })`,
    },
    {
      metric: "message_log_append_handled_rows_per_s",
      value: Math.round(median(handled.map((a) => a.rate))),
      unit: "rows/s",
      note: `each row also marked handled one batch later (median of ${RUNS}: ${
        runs(handled.map((a) => a.rate))
      })`,
    },
    {
      metric: "message_log_routing_thread_us_per_append",
      value: Number(median(handled.map((a) => a.routingUs)).toFixed(3)),
      unit: "us",
      note: "append + mark + hand-over on the routing thread; SQLite runs in the worker",
    },
    {
      metric: "message_log_raw_sqlite_rows_per_s",
      value: Math.round(rawRate),
      unit: "rows/s",
      note: `bare table of the same shape, no index, one thread (median of ${RUNS}: ${runs(raw)})`,
    },
    {
      metric: "message_log_vs_raw_ratio",
      value: Number((appendRate / rawRate).toFixed(3)),
      unit: "ratio",
      note: "message_log_append_rows_per_s / message_log_raw_sqlite_rows_per_s",
    },
    {
      metric: "message_log_fanout64_bytes_per_message",
      value: Math.round(fanOut),
      unit: "bytes",
      note: "1 KiB of content to 64 receivers: log tables and read model (dbstat), per message",
    },
  ];
  report("message_log", metrics);
}

if (import.meta.main) await run();
