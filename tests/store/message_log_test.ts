import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  GroupCommitWriter,
  type LogBatch,
  LogWriterWorker,
  type MessageEntry,
  MessageLogWriteError,
  openStore,
  type Store,
} from "../../src/store/mod.ts";
import type { LogSink } from "../../src/store/group_commit.ts";
import { openDatabase } from "../../src/store/database.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import type { AclMessage } from "../../src/acl/mod.ts";
import { DEFAULT_LIMITS } from "../../src/config/agent_limits.ts";

const CHILD = new URL("../fixtures/message_log_writer.ts", import.meta.url).pathname;

/** A store on a real file in a fresh temp directory, removed on dispose. */
function tempStore(): { store: Store; path: string; reopen(): Store } & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-log-" });
  const path = join(dir, "caxton.db");
  const opened: Store[] = [];
  const open = () => {
    const store = openStore(path);
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    path,
    reopen: open,
    [Symbol.dispose]() {
      for (const s of opened) s.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

function entry(receiver: string, fields: Partial<AclMessage> = {}): MessageEntry {
  return {
    message: { performative: "inform", sender: "alice", receiver: [receiver], ...fields },
    receiver,
  };
}

/** The store's log, keeping the batches the writer hands over. */
function counting(store: Store): LogSink & { batches: LogBatch[] } {
  return {
    batches: [],
    lastId: () => store.messages.lastId(),
    commitHandled: (marks) => store.messages.commitHandled(marks),
    writeBatch(batch) {
      this.batches.push(batch);
      store.messages.writeBatch(batch);
    },
  };
}

function count(path: string, sql: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

Deno.test("a version 1 database gains the message log and keeps its data", () => {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-log-" });
  const path = join(dir, "caxton.db");
  try {
    const v1 = openDatabase(path, MIGRATIONS.slice(0, 1));
    v1.exec("INSERT INTO modules VALUES ('h', x'00', 1, 'now')");
    v1.close();
    using store = openStore(path);
    assert.equal(store.messages.lastId(), 0);
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual(
        db.prepare("SELECT version FROM schema_migrations ORDER BY version").all()
          .map((r) => r.version),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 17],
      );
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM modules").get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("appends in one task are one batch: one record per message, at the end of the task", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log);
  const ids: number[] = [];
  for (let i = 0; i < 100; i++) ids.push(writer.append(entry(`r${i % 3}`)));
  // One message to three receivers, as the router logs it: one body string, one record.
  const message: AclMessage = { performative: "inform", sender: "a", receiver: ["x", "y", "z"] };
  const body = JSON.stringify(message);
  const fan = message.receiver.map((receiver) => writer.append({ message, receiver, body }));
  assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => i + 1));
  assert.equal(log.batches.length, 0, "nothing is written while the task runs");
  await writer.flush();
  assert.equal(log.batches.length, 1);
  assert.equal(count(t.path, "SELECT COUNT(*) AS n FROM log_records"), 101);
  assert.deepEqual(fan, [101, 102, 103]);
  const rows = t.store.messages.unfinished();
  assert.deepEqual(rows.map((r) => r.id), [...ids, ...fan]);
  assert.deepEqual(rows.slice(-3).map((r) => r.receiver), ["x", "y", "z"]);
  assert.deepEqual(rows[0]!.message, entry("r0").message);
  assert.equal(rows[0]!.status, "accepted");
  assert.equal(t.store.messages.size().deliveries, 103);
});

Deno.test("a full buffer is handed over at once, maxBatch items per batch", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log, { maxBatch: 10 });
  for (let i = 0; i < 25; i++) writer.append(entry("b", { content: i }));
  assert.equal(log.batches.length, 2);
  await writer.flush();
  assert.equal(log.batches.length, 3);
  assert.equal(count(t.path, "SELECT COUNT(*) AS n FROM log_records"), 25);
  assert.throws(() => new GroupCommitWriter(log, { maxBatch: 0 }), RangeError);
});

Deno.test("handled is a watermark per receiver: out-of-order ends wait for the earlier ones", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log);
  const b = [1, 2, 3, 4].map((n) => writer.append(entry("b", { content: n })));
  const c = writer.append(entry("c"));
  writer.mark(b[0]!, "handled");
  writer.mark(b[2]!, "handled"); // before b[1]: the watermark stays at b[0]
  writer.mark(b[3]!, "failed", "agent trapped");
  await writer.flush();
  assert.deepEqual(log.batches[0]!.watermarks, [["b", b[0]]]);
  assert.equal(log.batches[0]!.doneThrough, b[0]);
  // b[2] is done but above the watermark: after a crash now it comes back (at least once).
  assert.deepEqual(t.store.messages.unfinished().map((r) => [r.id, r.status]), [
    [b[1], "accepted"],
    [b[2], "accepted"],
    [c, "accepted"],
  ]);
  writer.mark(b[1]!, "handled");
  writer.mark(c, "handled");
  await writer.flush();
  assert.deepEqual(log.batches[1]!.watermarks, [["b", b[3]], ["c", c]]);
  assert.equal(log.batches[1]!.doneThrough, c);
  assert.deepEqual(t.store.messages.unfinished(), []);
  const rows = t.store.messages.byAgent("b");
  assert.deepEqual(rows.map((r) => [r.status, r.reason]), [
    ["handled", null],
    ["handled", null],
    ["handled", null],
    ["failed", "agent trapped"],
  ]);
  assert.ok(rows[3]!.updatedAt >= rows[3]!.acceptedAt);
});

Deno.test("flushSync commits the handled marks in the caller's transaction, with the state", () => {
  using t = tempStore();
  const store = t.store;
  using writer = new GroupCommitWriter(store.messages);
  const id = writer.append(entry("counter"));
  writer.flushSync();
  store.modules.put(new Uint8Array([0, 97, 115, 109]), {
    hash: "h",
    options: "{}",
    metered: new Uint8Array([0, 97, 115, 109, 1]),
    hasInit: false,
  });
  const agent = store.agents.create({
    name: "counter",
    moduleHash: "h",
    isolation: "shared",
    limits: DEFAULT_LIMITS,
  });
  // A rolled-back state write takes its mark with it…
  assert.throws(() =>
    store.transaction(() => {
      store.state.apply(agent.id, [{ key: "n", value: new Uint8Array([1]) }]);
      writer.mark(id, "handled");
      writer.flushSync();
      throw new Error("the disk is full");
    })
  );
  assert.equal(count(t.path, "SELECT COUNT(*) AS n FROM handled_marks"), 0);
  assert.equal(store.state.get(agent.id, "n"), undefined);
  // …and a committed one lands with it.
  const again = writer.append(entry("counter"));
  store.transaction(() => {
    store.state.apply(agent.id, [{ key: "n", value: new Uint8Array([2]) }]);
    writer.mark(again, "handled");
    writer.flushSync();
  });
  assert.equal(count(t.path, "SELECT through AS n FROM handled_marks"), again);
  assert.deepEqual(store.messages.unfinished(), []);
});

Deno.test("positions continue from the last one handed out after a reopen, whatever was pruned", async () => {
  using t = tempStore();
  {
    using writer = new GroupCommitWriter(t.store.messages);
    writer.mark(writer.append(entry("b")), "handled");
    writer.mark(writer.append(entry("b")), "handled");
  }
  assert.equal(t.store.messages.prune(10).deliveries, 2);
  t.store.close();
  const store = t.reopen();
  using writer = new GroupCommitWriter(store.messages);
  assert.equal(writer.append(entry("b")), 3);
  await writer.flush();
  assert.equal(store.messages.lastId(), 3);
});

Deno.test("a conversation reads back in log order, from the read model and from its tail", async () => {
  using t = tempStore();
  using writer = new GroupCommitWriter(t.store.messages);
  const c1 = [
    writer.append(entry("bob", { conversationId: "c1", replyWith: "q1" })),
    writer.append(entry("carol", { conversationId: "c2" })),
    writer.append({
      message: {
        performative: "agree",
        sender: "bob",
        receiver: ["alice"],
        conversationId: "c1",
        inReplyTo: "q1",
      },
      receiver: "alice",
      traceId: "0af7651916cd43dd8448eb211c80319c",
    }),
  ];
  writer.append(entry("dave"));
  await writer.flush();
  const read = () => {
    const conversation = t.store.messages.byConversation("c1");
    assert.deepEqual(conversation.map((r) => r.id), [c1[0], c1[2]]);
    assert.equal(conversation[1]!.message.inReplyTo, "q1");
    assert.equal(conversation[1]!.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.deepEqual(t.store.messages.byConversation("none"), []);
    // bob received the first and sent the third.
    assert.deepEqual(t.store.messages.byAgent("bob").map((r) => r.id), [1, 3]);
    assert.deepEqual(t.store.messages.byAgent("alice", { limit: 2 }).map((r) => r.id), [1, 2]);
    assert.deepEqual(
      t.store.messages.byAgent("alice", { since: 2, limit: 2 }).map((r) => r.id),
      [3, 4],
    );
  };
  read(); // nothing indexed yet: the tail is scanned
  assert.equal(t.store.messages.indexBehind(2), 2);
  read(); // half indexed
  assert.equal(t.store.messages.indexBehind(), 2);
  assert.equal(t.store.messages.indexBehind(), 0);
  read(); // all indexed
  assert.ok(count(t.path, "SELECT COUNT(*) AS n FROM log_index WHERE key = 'c:c1'") === 2);
});

Deno.test("by time: both ends found by bisection, paged by position", () => {
  using t = tempStore();
  const records = Array.from({ length: 50 }, (_, i) => ({
    id: i * 2 + 1,
    at: 1_000 + i * 10,
    receivers: ["a", "b"],
    body: JSON.stringify({ performative: "inform", sender: "s", receiver: ["a", "b"], content: i }),
    traceId: null,
  }));
  t.store.messages.writeBatch({
    records,
    outcomes: [],
    watermarks: [],
    doneThrough: 0,
    lastId: 100,
  });
  const log = t.store.messages;
  assert.deepEqual(log.between(1_100, 1_130).map((r) => r.id), [21, 22, 23, 24, 25, 26]);
  assert.deepEqual(log.between(1_105, 1_131).map((r) => r.id), [23, 24, 25, 26, 27, 28]);
  assert.deepEqual(log.between(1_100, 1_130, { after: 22, limit: 2 }).map((r) => r.id), [23, 24]);
  assert.deepEqual(log.between(0, 1_000), []);
  assert.deepEqual(log.between(5_000, 6_000), []);
  assert.equal(log.firstAcceptedFrom(1_101), 23);
  assert.equal(log.firstAcceptedFrom(9_999), undefined);
});

Deno.test("dead letters keep the message and the reason, newest first", async () => {
  using t = tempStore();
  using writer = new GroupCommitWriter(t.store.messages);
  const first = writer.append(entry("gone"));
  writer.mark(first, "dead", "mailbox full");
  const second = writer.append(entry("gone", { content: 2 }));
  await writer.flush();
  writer.mark(second, "dead", "receiver removed");
  await writer.flush();
  const dead = t.store.messages.deadLetters();
  assert.deepEqual(dead.map((d) => [d.id, d.status, d.reason]), [
    [second, "dead", "receiver removed"],
    [first, "dead", "mailbox full"],
  ]);
  assert.equal(dead[0]!.message.content, 2);
  assert.ok(dead[0]!.deadAt > 0);
  assert.equal(t.store.messages.deadLetters({ limit: 1 }).length, 1);
  assert.deepEqual(t.store.messages.unfinished(), []);
});

Deno.test("prune deletes messages whose every delivery is done and keeps the rest", async () => {
  using t = tempStore();
  using writer = new GroupCommitWriter(t.store.messages);
  const b = Array.from({ length: 3 }, (_, i) => writer.append(entry("b", { content: i })));
  const c = Array.from({ length: 2 }, (_, i) => writer.append(entry("c", { content: i })));
  writer.mark(b[0]!, "handled");
  writer.mark(b[1]!, "dead", "expired");
  writer.mark(c[0]!, "handled");
  writer.mark(b[2]!, "handled");
  await writer.flush();
  t.store.messages.indexBehind();
  assert.equal(t.store.messages.prune(1000).deliveries, 4);
  assert.deepEqual(t.store.messages.byAgent("alice").map((r) => r.id), [c[1]]);
  assert.deepEqual(t.store.messages.deadLetters(), []);
  assert.equal(count(t.path, "SELECT COUNT(*) AS n FROM log_index WHERE id < 5"), 0);
  assert.equal(t.store.messages.size().deliveries, 1);
  assert.equal(t.store.messages.lastId(), c[1]);
});

Deno.test("mode none numbers deliveries without writing them", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log, { mode: "none" });
  assert.deepEqual([writer.append(entry("b")), writer.append(entry("b"))], [1, 2]);
  writer.mark(1, "handled");
  await writer.flush();
  writer.flushSync();
  writer.close();
  assert.equal(log.batches.length, 0);
  assert.equal(count(t.path, "SELECT COUNT(*) AS n FROM log_records"), 0);
});

Deno.test("close writes what is buffered, once; the closed writer takes nothing more", () => {
  using t = tempStore();
  const log = counting(t.store);
  const writer = new GroupCommitWriter(log);
  const id = writer.append(entry("b"));
  writer.close();
  writer.close();
  assert.equal(log.batches.length, 1);
  assert.equal(t.store.messages.unfinished()[0]!.id, id);
  assert.throws(() => writer.append(entry("b")), TypeError);
  assert.throws(() => writer.mark(id, "handled"), TypeError);
});

Deno.test("a batch that cannot be written is reported with its positions; earlier batches stay", async () => {
  using t = tempStore();
  const errors: MessageLogWriteError[] = [];
  using writer = new GroupCommitWriter(t.store.messages, { onError: (e) => errors.push(e) });
  const kept = writer.append(entry("b"));
  await writer.flush();
  // Someone else takes the writer's next position: its next batch breaks the primary key.
  t.store.messages.writeBatch({
    records: [{ id: kept + 1, at: 1, receivers: ["x"], body: "{}", traceId: null }],
    outcomes: [],
    watermarks: [],
    doneThrough: 0,
    lastId: kept + 1,
  });
  const lost = [writer.append(entry("b", { content: 1 })), writer.append(entry("b"))];
  writer.mark(kept, "failed", "trap");
  await assert.rejects(writer.flush(), MessageLogWriteError);
  assert.equal(errors.length, 1);
  const error = errors[0]!;
  assert.equal(error.code, "message_log_write_failed");
  assert.deepEqual([error.firstId, error.lastId], lost);
  assert.equal(error.outcomes, 1);
  assert.match(error.message, /Cannot write 2 message position\(s\) \(2\.\.3\) and 1 delivery/);
  assert.match(String((error.cause as Error).message), /UNIQUE/);
  // Nothing of the failed batch landed, and the earlier one is intact.
  assert.deepEqual(t.store.messages.byAgent("b").map((r) => [r.id, r.status]), [
    [kept, "accepted"],
  ]);
  const next = writer.append(entry("b"));
  await writer.flush();
  assert.equal(next, 4);
  assert.equal(errors.length, 1);
});

Deno.test("a write to a closed database reaches onError and flushSync's caller", () => {
  using t = tempStore();
  const errors: MessageLogWriteError[] = [];
  const writer = new GroupCommitWriter(t.store.messages, { onError: (e) => errors.push(e) });
  writer.append(entry("b"));
  t.store.close();
  assert.throws(() => writer.flushSync(), MessageLogWriteError);
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0]!.firstId, errors[0]!.lastId], [1, 1]);
  writer.close(); // nothing left to write, nothing more reported
  assert.equal(errors.length, 1);
});

Deno.test("the writer worker commits batches off this thread; flush resolves once they are in", async () => {
  using t = tempStore();
  await using worker = await LogWriterWorker.open(t.path, t.store.messages);
  const errors: MessageLogWriteError[] = [];
  using writer = new GroupCommitWriter(worker, { onError: (e) => errors.push(e) });
  const ids = Array.from({ length: 5_000 }, (_, i) => writer.append(entry(`r${i % 10}`)));
  for (const id of ids.slice(0, 4_000)) writer.mark(id, "handled");
  assert.ok(worker.pending > 0, "batches were handed to the worker");
  await writer.flush();
  assert.equal(worker.pending, 0);
  assert.equal(t.store.messages.lastId(), 5_000);
  assert.deepEqual(t.store.messages.unfinished().map((r) => r.id), ids.slice(4_000));
  // The worker builds the read model once idle.
  const until = Date.now() + 10_000;
  while (count(t.path, "SELECT indexed_through AS n FROM log_meta") < 5_000) {
    if (Date.now() > until) throw new Error("the read model was not built behind the writer");
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(t.store.messages.byAgent("r3", { limit: 10_000 }).length, 500);
  assert.deepEqual(errors, []);
});

Deno.test({
  name: "every position a killed (-9) writer reported written is there after reopening",
  async fn() {
    using t = tempStore();
    t.store.close();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", CHILD, t.path],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const started = Date.now();
    let firstSeen = 0;
    // Let it write for ~0.5 s once it runs, 10 s at most to start.
    while (Date.now() - started < 10_000) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
      firstSeen ||= Date.now();
      if (Date.now() - firstSeen > 500) break;
    }
    Deno.kill(child.pid, "SIGKILL");
    for (let r = await lines.read(); !r.done; r = await lines.read()) text += r.value;
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");

    // A line without its newline was cut by the kill; every whole line was written first.
    const reported = text.split("\n").slice(0, -1).map(Number);
    assert.ok(reported.length > 0, "the child reported at least one written batch");
    const last = reported.at(-1)!;
    const store = t.reopen();
    const ids = store.messages.unfinished().map((r) => r.id);
    assert.ok(ids.length >= last, `${ids.length} deliveries logged, ${last} reported`);
    assert.deepEqual(ids.slice(0, last), Array.from({ length: last }, (_, i) => i + 1));
  },
});

Deno.test("a mark that fills the batch still commits with the state's flushSync", () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log, { maxBatch: 2 });
  const id = writer.append(entry("counter")); // 1 buffered
  writer.mark(id, "handled"); // 2: the batch is written here, before flushSync
  assert.equal(log.batches.length, 1);
  writer.flushSync();
  assert.equal(count(t.path, "SELECT through AS n FROM handled_marks"), id);
});

Deno.test("after a restart, no batch passes a delivery left open before it, redelivered or not yet", async () => {
  using t = tempStore();
  {
    using writer = new GroupCommitWriter(t.store.messages);
    writer.append(entry("b")); // 1: never handled (the node dies)
    writer.mark(writer.append(entry("c")), "handled"); // 2
  }
  t.store.close();
  const store = t.reopen();
  using writer = new GroupCommitWriter(store.messages);
  // New traffic before the redelivery: its batch must not say "everything through 3 is done".
  writer.mark(writer.append(entry("c")), "handled");
  await writer.flush();
  assert.equal(count(t.path, "SELECT done_through AS n FROM log_meta"), 0);
  assert.deepEqual(store.messages.unfinished().map((r) => r.id), [1]);
  writer.mark(1, "handled"); // redelivered and handled
  await writer.flush();
  assert.equal(count(t.path, "SELECT done_through AS n FROM log_meta"), 3);
  assert.deepEqual(store.messages.unfinished(), []);
});
