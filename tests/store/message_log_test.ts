import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  GroupCommitWriter,
  type MessageEntry,
  MessageLogWriteError,
  openStore,
  type Store,
} from "../../src/store/mod.ts";
import type { BatchLog } from "../../src/store/group_commit.ts";
import { openDatabase } from "../../src/store/database.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import type { AclMessage } from "../../src/acl/mod.ts";

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

function entry(
  receiver: string,
  fields: Partial<AclMessage> = {},
): MessageEntry {
  return {
    message: { performative: "inform", sender: "alice", receiver: [receiver], ...fields },
    receiver,
  };
}

/** The store's log, counting the transactions the writer asks for. */
function counting(store: Store): BatchLog & { commits: number } {
  return {
    commits: 0,
    lastId: () => store.messages.lastId(),
    writeBatch(entries, updates) {
      this.commits++;
      store.messages.writeBatch(entries, updates);
    },
  };
}

function rowCount(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n;
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
        db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()
          .map((r) => ({ ...r })),
        [
          { version: 1, name: "core" },
          { version: 2, name: "messages" },
          {
            version: 3,
            name: "jobs",
          },
          {
            version: 4,
            name: "agent_tools",
          },
          {
            version: 5,
            name: "message_bodies",
          },
          { version: 6, name: "transition_causes" },
          { version: 10, name: "agent_keep_alive" },
        ],
      );
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM modules").get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("appends in one task are written in one transaction, in order, at the end of the task", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log);
  const reader = new DatabaseSync(t.path);
  const ids: number[] = [];
  try {
    const version = () =>
      (reader.prepare("PRAGMA data_version").get() as { data_version: number })
        .data_version;
    const before = version();
    for (let i = 0; i < 100; i++) ids.push(writer.append(entry(`r${i % 3}`)));
    assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(log.commits, 0, "nothing is written while the task runs");
    assert.equal(rowCount(t.path), 0);
    await writer.flush();
    assert.equal(log.commits, 1);
    assert.notEqual(version(), before, "another connection sees the commit");
    assert.equal(rowCount(t.path), 100);
  } finally {
    reader.close();
  }
  const rows = t.store.messages.unfinished();
  assert.deepEqual(rows.map((r) => r.id), ids);
  assert.deepEqual(rows[0]!.message, entry("r0").message);
  assert.equal(rows[0]!.status, "accepted");
});

Deno.test("a full buffer is written at once, maxBatch items per transaction", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log, { maxBatch: 10 });
  for (let i = 0; i < 25; i++) writer.append(entry("b"));
  assert.equal(log.commits, 2);
  assert.equal(rowCount(t.path), 20);
  await writer.flush();
  assert.equal(log.commits, 3);
  assert.equal(rowCount(t.path), 25);
  assert.throws(() => new GroupCommitWriter(log, { maxBatch: 0 }), RangeError);
});

Deno.test("positions continue from the last logged one after a reopen", async () => {
  using t = tempStore();
  {
    using writer = new GroupCommitWriter(t.store.messages);
    writer.append(entry("b"));
    writer.append(entry("b"));
  }
  t.store.close();
  const store = t.reopen();
  using writer = new GroupCommitWriter(store.messages);
  assert.equal(writer.append(entry("b")), 3);
  await writer.flush();
  assert.equal(store.messages.lastId(), 3);
});

Deno.test("after a crash, accepted and delivered but unhandled deliveries come back in log order", () => {
  using t = tempStore();
  const lost: MessageLogWriteError[] = [];
  const writer = new GroupCommitWriter(t.store.messages, { onError: (e) => lost.push(e) });
  const ids = ["b", "c", "b", "c", "b"].map((r) => writer.append(entry(r)));
  writer.flushSync();
  writer.mark(ids[0]!, "handled");
  writer.mark(ids[1]!, "delivered");
  writer.mark(ids[3]!, "failed", "agent trapped");
  writer.flushSync();
  writer.mark(ids[2]!, "handled"); // buffered, never written: the process dies here
  t.store.close();
  assert.throws(() => writer.flushSync(), MessageLogWriteError);
  assert.deepEqual(lost[0]!.marks, [{ id: ids[2], status: "handled", reason: undefined }]);

  const store = t.reopen();
  const unfinished = store.messages.unfinished();
  assert.deepEqual(unfinished.map((r) => [r.id, r.receiver, r.status]), [
    [ids[1], "c", "delivered"],
    [ids[2], "b", "accepted"],
    [ids[4], "b", "accepted"],
  ]);
  assert.deepEqual(store.messages.unfinished({ receiver: "b" }).map((r) => r.id), [
    ids[2],
    ids[4],
  ]);
});

Deno.test("marks are recorded with their reasons; the latest mark in a batch wins", async () => {
  using t = tempStore();
  const log = counting(t.store);
  using writer = new GroupCommitWriter(log);
  const early = writer.append(entry("b"));
  writer.mark(early, "handled"); // still buffered: inserted as handled
  const late = writer.append(entry("b"));
  await writer.flush();
  writer.mark(late, "delivered");
  writer.mark(late, "failed", "no such agent");
  await writer.flush();
  assert.equal(log.commits, 2);
  const [a, b] = t.store.messages.byAgent("b");
  assert.deepEqual([a!.status, a!.reason], ["handled", null]);
  assert.deepEqual([b!.status, b!.reason], ["failed", "no such agent"]);
  assert.ok(b!.updatedAt >= b!.acceptedAt);
  // The repository takes marks directly too; unknown positions are ignored.
  t.store.messages.markBatch([{ id: late, status: "handled" }, { id: 999, status: "handled" }]);
  assert.equal(t.store.messages.byAgent("b")[1]!.status, "handled");
});

Deno.test("a conversation reads back in log order, and an agent's traffic pages by position", async () => {
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
  const conversation = t.store.messages.byConversation("c1");
  assert.deepEqual(conversation.map((r) => r.id), [c1[0], c1[2]]);
  assert.equal(conversation[1]!.message.inReplyTo, "q1");
  assert.equal(conversation[1]!.traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.deepEqual(t.store.messages.byConversation("none"), []);

  // bob received the first and sent the third.
  assert.deepEqual(t.store.messages.byAgent("bob").map((r) => r.id), [1, 3]);
  assert.deepEqual(t.store.messages.byAgent("alice", { limit: 2 }).map((r) => r.id), [1, 2]);
  assert.deepEqual(t.store.messages.byAgent("alice", { since: 2, limit: 2 }).map((r) => r.id), [
    3,
    4,
  ]);
});

Deno.test("dead letters keep the message and the reason, newest first", async () => {
  using t = tempStore();
  using writer = new GroupCommitWriter(t.store.messages);
  const first = writer.append(entry("gone"));
  writer.mark(first, "dead", "mailbox full"); // buffered: inserted dead, with its dead letter
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

Deno.test("prune deletes finished deliveries before a position and keeps unfinished ones", async () => {
  using t = tempStore();
  using writer = new GroupCommitWriter(t.store.messages);
  const ids = Array.from({ length: 5 }, () => writer.append(entry("b")));
  writer.mark(ids[0]!, "handled");
  writer.mark(ids[2]!, "dead", "expired");
  writer.mark(ids[3]!, "handled");
  writer.mark(ids[4]!, "handled");
  await writer.flush();
  assert.equal(t.store.messages.prune(ids[4]!).deliveries, 3);
  assert.deepEqual(t.store.messages.byAgent("b").map((r) => r.id), [ids[1], ids[4]]);
  assert.deepEqual(t.store.messages.deadLetters(), []);
  // The newest row stays even when finished, so positions are never handed out twice.
  assert.equal(t.store.messages.prune(1000).deliveries, 0);
  assert.equal(t.store.messages.lastId(), ids[4]);
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
  assert.equal(log.commits, 0);
  assert.equal(rowCount(t.path), 0);
});

Deno.test("close writes what is buffered, once; the closed writer takes nothing more", () => {
  using t = tempStore();
  const log = counting(t.store);
  const writer = new GroupCommitWriter(log);
  const id = writer.append(entry("b"));
  writer.close();
  writer.close();
  assert.equal(log.commits, 1);
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
  t.store.messages.appendBatch([{ ...entry("x"), id: kept + 1, acceptedAt: Date.now() }]);
  const lost = [writer.append(entry("b")), writer.append(entry("b"))];
  writer.mark(kept, "handled");
  await assert.rejects(writer.flush(), MessageLogWriteError);
  assert.equal(errors.length, 1);
  const error = errors[0]!;
  assert.equal(error.code, "message_log_write_failed");
  assert.deepEqual([error.firstId, error.lastId], lost);
  assert.deepEqual(error.marks, [{ id: kept, status: "handled", reason: undefined }]);
  assert.match(error.message, /Cannot write 2 message\(s\) \(positions 2\.\.3\) and 1 delivery/);
  assert.match(String((error.cause as Error).message), /UNIQUE/);
  // Nothing of the failed batch landed, and the earlier one is intact.
  assert.deepEqual(t.store.messages.byAgent("b").map((r) => [r.id, r.status]), [
    [kept, "accepted"],
  ]);
  // The writer carries on after the gap.
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
    assert.ok(ids.length >= last, `${ids.length} rows logged, ${last} reported`);
    assert.deepEqual(ids.slice(0, last), Array.from({ length: last }, (_, i) => i + 1));
  },
});

Deno.test("large batches (many rows per statement) keep every row, status, dead letter and mark order", () => {
  using t = tempStore();
  const log = t.store.messages;
  // 150 rows: two full multi-row statements and a remainder; row 70 is dead on arrival.
  const entries = Array.from({ length: 150 }, (_, i) => ({
    ...entry(`r${i % 7}`, { conversationId: "big", replyWith: `w${i}` }),
    id: i + 1,
    acceptedAt: 1_000 + i,
    ...(i === 69 ? { status: "dead" as const, reason: "nobody" } : {}),
  }));
  log.writeBatch(entries, []);
  // Marks in order: handled for all but 70 (in statements of many), then failures for 100
  // (already marked handled in this batch) and 5, then handled again for 5.
  const marks = entries.map((e) => ({ id: e.id, status: "handled" as const })).filter((m) =>
    m.id !== 70
  );
  log.writeBatch([], [
    ...marks.slice(0, 100),
    { id: 100, status: "failed", reason: "trap" },
    { id: 5, status: "failed", reason: "first" },
    ...marks.slice(100),
    { id: 5, status: "handled" },
  ]);
  const rows = log.byConversation("big");
  assert.equal(rows.length, 150);
  assert.deepEqual(rows.map((r) => r.message.replyWith), entries.map((e) => e.message.replyWith));
  const status = new Map(rows.map((r) => [r.id, [r.status, r.reason]]));
  assert.deepEqual(status.get(70), ["dead", "nobody"]);
  assert.deepEqual(status.get(100), ["failed", "trap"], "a failure after handled wins");
  assert.deepEqual(status.get(5), ["handled", null], "handled after a failure wins");
  assert.equal(rows.filter((r) => r.status === "handled").length, 148);
  assert.deepEqual(log.deadLetters().map((d) => d.id), [70]);
});
