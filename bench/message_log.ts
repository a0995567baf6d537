/**
 * Message log benchmarks: the group-commit writer on a real SQLite file (WAL,
 * synchronous = NORMAL), schema version 2 with all its indexes.
 *
 * - message_log_append_rows_per_s: 200,000 appends in one synchronous run, written every
 *   maxBatch (1024) rows.
 * - message_log_append_handled_rows_per_s: the same, each row also marked handled one batch
 *   later (an INSERT and an UPDATE per row, what steady traffic costs).
 * - message_log_tasks_<schedule>_rows_per_s: 200,000 appends arriving 10 per task (as worker
 *   replies do), the write scheduled by setImmediate (what the writer does), setTimeout 0 or
 *   queueMicrotask; the note gives rows per commit and the latency of one append's write on
 *   an idle node.
 */
import { join } from "node:path";
import { median, type Metric, report } from "./_report.ts";
import { setImmediate } from "node:timers";
import { GroupCommitWriter } from "../src/store/group_commit.ts";
import { type LogEntry, type MessageEntry, openStore, type Store } from "../src/store/mod.ts";
import { messageLogBytes } from "../tests/_support/log_bytes.ts";

const ROWS = 200_000;
const PER_TASK = 10;
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
  return { message, receiver: message.receiver[0]!, body: JSON.stringify(message) };
}

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bench-log-" });
  const store = openStore(join(dir, "caxton.db"));
  try {
    return await fn(store);
  } finally {
    store.close();
    Deno.removeSync(dir, { recursive: true });
  }
}

async function appendLoop(markHandled: boolean, entries: MessageEntry[]): Promise<number> {
  return await withStore(async (store) => {
    const writer = new GroupCommitWriter(store.messages);
    const t0 = performance.now();
    let first = 0;
    for (let i = 0; i < ROWS; i++) {
      const id = writer.append(entries[i]!);
      if (i === 0) first = id;
      // Mark the previous batch handled, as replies would arrive after it was written.
      if (markHandled && i >= 1024) writer.mark(first + i - 1024, "handled");
    }
    await writer.flush();
    writer.close();
    return ROWS / ((performance.now() - t0) / 1000);
  });
}

type Schedule = "setImmediate" | "setTimeout" | "queueMicrotask";

const SCHEDULERS: Record<Schedule, (write: () => void) => void> = {
  setImmediate: (write) => setImmediate(write),
  setTimeout: (write) => setTimeout(write, 0),
  queueMicrotask: (write) => queueMicrotask(write),
};

/**
 * The writer's buffering with a given way to schedule the write: 10 appends per
 * MessageChannel task (as worker replies arrive), then one append at a time awaiting its
 * write (an idle node). Returns rows/s, rows per commit and the idle write latency.
 */
async function scheduled(
  schedule: Schedule,
  entries: MessageEntry[],
): Promise<{ rate: number; batch: number; idleMs: number }> {
  return await withStore(async (store) => {
    let buffer: LogEntry[] = [];
    let commits = 0;
    let queued = false;
    let written = Promise.withResolvers<void>();
    const write = () => {
      queued = false;
      // A scheduled write can find the buffer already written because it filled up.
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      store.messages.appendBatch(batch);
      commits++;
      written.resolve();
      written = Promise.withResolvers<void>();
    };
    let id = 0;
    const append = (e: MessageEntry) => {
      buffer.push({ ...e, id: ++id, acceptedAt: Date.now() });
      if (buffer.length >= 1024) write();
      else if (!queued) {
        queued = true;
        SCHEDULERS[schedule](write);
      }
    };
    const { port1, port2 } = new MessageChannel();
    const tasks = ROWS / PER_TASK;
    const done = Promise.withResolvers<void>();
    let seen = 0;
    port2.onmessage = () => {
      const base = seen * PER_TASK;
      for (let k = 0; k < PER_TASK; k++) append(entries[base + k]!);
      if (++seen === tasks) done.resolve();
    };
    const t0 = performance.now();
    for (let i = 0; i < tasks; i++) port1.postMessage(i);
    await done.promise;
    if (queued) await written.promise;
    const elapsed = performance.now() - t0;
    port1.close();
    port2.close();
    const batch = ROWS / commits;
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      append(entries[i]!);
      await written.promise;
      idle.push(performance.now() - t);
    }
    return { rate: ROWS / (elapsed / 1000), batch, idleMs: median(idle) };
  });
}

/** Log bytes per message of 1 KiB content to 64 receivers (size, not time: one run). */
async function fanOutBytes(): Promise<number> {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bench-log-" });
  const path = join(dir, "caxton.db");
  const store = openStore(path);
  try {
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
    return (messageLogBytes(path) - before) / 200;
  } finally {
    store.close();
    Deno.removeSync(dir, { recursive: true });
  }
}

export async function run(): Promise<void> {
  const entries = Array.from({ length: ROWS }, (_, i) => entry(i));
  const append: number[] = [];
  const handled: number[] = [];
  const schedules = Object.keys(SCHEDULERS) as Schedule[];
  const runs = new Map(schedules.map((s) => [s, [] as Awaited<ReturnType<typeof scheduled>>[]]));
  for (let r = 0; r < RUNS; r++) {
    append.push(await appendLoop(false, entries));
    handled.push(await appendLoop(true, entries));
    for (const s of schedules) runs.get(s)!.push(await scheduled(s, entries));
  }
  const fanOut = await fanOutBytes();
  const metrics: Metric[] = [
    {
      metric: "message_log_append_rows_per_s",
      value: Math.round(median(append)),
      unit: "rows/s",
      note: `${ROWS} appends through GroupCommitWriter, batches of 1024 (median of ${RUNS})`,
    },
    {
      metric: "message_log_append_handled_rows_per_s",
      value: Math.round(median(handled)),
      unit: "rows/s",
      note: `each row also marked handled one batch later (median of ${RUNS})`,
    },
    ...schedules.map((s): Metric => {
      const r = runs.get(s)!;
      return {
        metric: `message_log_tasks_${s}_rows_per_s`,
        value: Math.round(median(r.map((x) => x.rate))),
        unit: "rows/s",
        note: `${PER_TASK} appends per task: ~${
          Math.round(median(r.map((x) => x.batch)))
        } rows per commit; idle write ${median(r.map((x) => x.idleMs)).toFixed(3)} ms`,
      };
    }),
    {
      metric: "message_log_fanout64_bytes_per_message",
      value: Math.round(fanOut),
      unit: "bytes",
      note: "1 KiB of content to 64 receivers: log tables and indexes (dbstat), per message",
    },
  ];
  report("message_log", metrics);
}

if (import.meta.main) await run();
