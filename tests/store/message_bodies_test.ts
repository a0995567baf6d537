import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { GroupCommitWriter, openStore } from "../../src/store/mod.ts";
import { openDatabase } from "../../src/store/database.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import type { AclMessage } from "../../src/acl/mod.ts";
import { messageLogBytes } from "../_support/log_bytes.ts";
import { startTestNode, tempDataDir, TestParticipant, until } from "../_support/node.ts";

function count(path: string, sql: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

Deno.test("a message to 64 receivers stores its body once: the log grows by ~one body, not 64", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  const path = join(dir.path, "caxton.db");
  const receivers = Array.from({ length: 64 }, (_, i) => new TestParticipant(node, `ext:r${i}`));
  using sender = new TestParticipant(node, "ext:sender");
  try {
    await node.router.flushLog();
    const before = messageLogBytes(path);
    const content = "x".repeat(64 * 1024);
    sender.send({
      performative: "inform",
      receiver: receivers.map((r) => r.name),
      content,
      conversationId: "fan-64",
    });
    await until(() => receivers.every((r) => r.received.length === 1), "64 deliveries");
    await node.router.flushLog();

    const rows = node.store.messages.byConversation("fan-64");
    assert.equal(rows.length, 64, "one delivery row per receiver");
    assert.deepEqual(rows.map((r) => r.receiver), receivers.map((r) => r.name));
    assert.ok(rows.every((r) => r.message.content === content), "each row reads the whole body");
    const records = count(
      path,
      "SELECT COUNT(*) AS n FROM log_records WHERE octet_length(body) > 65536",
    );
    assert.equal(records, 1, "one record, its receivers inside");
    // The whole log grew by one body and 64 small rows; stored per receiver it was 4 MiB.
    const grown = messageLogBytes(path) - before;
    assert.ok(grown < 2 * content.length, `the log grew by ${grown} bytes`);
    // The running size estimate says the same.
    const size = node.store.messages.size();
    assert.ok(size.bytes < 2 * content.length, `estimated ${size.bytes} bytes`);
  } finally {
    for (const r of receivers) r[Symbol.dispose]();
  }
});

Deno.test("the log's size estimate stays near what SQLite really stores", async () => {
  using dir = tempDataDir();
  const path = join(dir.path, "caxton.db");
  using store = openStore(path);
  using writer = new GroupCommitWriter(store.messages);
  const before = messageLogBytes(path);
  // Router-shaped traffic: UUID conversations, trace ids, some fan-out.
  for (let i = 0; i < 3_000; i++) {
    const receiver = Array.from({ length: 1 + (i % 4) }, (_, k) => `agent-${k}`);
    const message: AclMessage = {
      performative: "request",
      sender: `client-${i % 50}`,
      receiver,
      content: { n: i },
      conversationId: crypto.randomUUID(),
      replyWith: `r-${i}`,
    };
    const body = JSON.stringify(message);
    for (const r of receiver) writer.mark(writer.append({ message, receiver: r, body }), "handled");
  }
  await writer.flush();
  store.messages.indexBehind(10_000); // the read model is part of what the log takes
  const real = messageLogBytes(path) - before;
  const estimated = store.messages.size().bytes;
  const ratio = estimated / real;
  assert.ok(ratio > 0.6 && ratio < 1.5, `estimated ${estimated} bytes, stored ${real}`);
});

Deno.test("a version 6 log migrates to records: every query reads the same, unfinished stays unfinished", () => {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bodies-" });
  const path = join(dir, "caxton.db");
  try {
    // A data file as the schema before this change wrote it.
    const v6 = openDatabase(path, MIGRATIONS.slice(0, 6));
    const fan = JSON.stringify({
      performative: "inform",
      sender: "a",
      receiver: ["b", "c", "d"],
      conversationId: "k",
      content: "é",
    });
    const solo = JSON.stringify({ performative: "request", sender: "b", receiver: ["a"] });
    const body = v6.prepare(
      "INSERT INTO message_bodies (id, last_id, bytes, body) VALUES (?, ?, ?, ?)",
    );
    body.run(1, 3, new TextEncoder().encode(fan).length, fan);
    body.run(4, 4, solo.length, solo);
    body.run(5, 5, new TextEncoder().encode(fan).length, fan);
    body.run(7, 7, new TextEncoder().encode(fan).length, fan);
    const insert = v6.prepare(
      `INSERT INTO messages (id, accepted_at, sender, receiver, conversation_id, performative,
         body_id, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const deliver = v6.prepare(
      "INSERT INTO deliveries (message_id, receiver, status, updated_at) VALUES (?, ?, ?, 1)",
    );
    // Positions 1-3: one message to three receivers; 4: a dead letter; 5 and 7 (6 pruned).
    const rows: [number, string, number, string | null, string][] = [
      [1, "b", 1, "k", "handled"],
      [2, "c", 1, "k", "accepted"],
      [3, "d", 1, "k", "handled"],
      [4, "a", 4, null, "dead"],
      [5, "b", 5, "k", "handled"],
      [7, "b", 7, "k", "delivered"],
    ];
    for (const [id, receiver, bodyId, conversation, status] of rows) {
      const parsed = JSON.parse(bodyId === 4 ? solo : fan);
      insert.run(
        id,
        1_000 + id,
        parsed.sender,
        receiver,
        conversation,
        parsed.performative,
        bodyId,
        id === 1 ? "0af7651916cd43dd8448eb211c80319c" : null,
      );
      deliver.run(id, receiver, status);
    }
    v6.exec("UPDATE deliveries SET reason = 'nobody' WHERE message_id = 4");
    v6.exec("INSERT INTO dead_letters (message_id, reason, at) VALUES (4, 'nobody', 9)");
    v6.exec("UPDATE message_log_totals SET deliveries = 6, body_bytes = 0");
    v6.close();

    using store = openStore(path);
    const db = new DatabaseSync(path);
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        .map((r) => r.name);
      for (const old of ["messages", "deliveries", "dead_letters", "message_bodies"]) {
        assert.ok(!tables.includes(old), `${old} is gone`);
      }
    } finally {
      db.close();
    }
    const log = store.messages;
    assert.deepEqual(log.byConversation("k").map((r) => [r.id, r.receiver, r.message.content]), [
      [1, "b", "é"],
      [2, "c", "é"],
      [3, "d", "é"],
      [5, "b", "é"],
      [7, "b", "é"],
    ]);
    assert.equal(log.byConversation("k")[0]!.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.deepEqual(log.byConversation("k").map((r) => r.status), [
      "handled",
      "accepted",
      "handled",
      "handled",
      "accepted",
    ]);
    assert.deepEqual(log.unfinished().map((r) => [r.id, r.receiver]), [[2, "c"], [7, "b"]]);
    assert.deepEqual(log.deadLetters().map((d) => [d.id, d.reason, d.message.sender]), [
      [4, "nobody", "b"],
    ]);
    assert.deepEqual(log.byAgent("a").map((r) => r.id), [1, 2, 3, 4, 5, 7]);
    assert.deepEqual(log.between(1_003, 1_006).map((r) => r.id), [3, 4, 5]);
    assert.equal(log.size().deliveries, 6);
    assert.equal(log.lastId(), 7);

    // Pruning after the migration: finished records go, unfinished ones stay.
    assert.equal(log.prune(8).deliveries, 4, "1, 3, 4 and 5 are finished");
    assert.deepEqual(log.byConversation("k").map((r) => r.id), [2, 7]);
    // New traffic continues the positions and finishes what the old log left open.
    using writer = new GroupCommitWriter(log);
    for (const row of log.unfinished()) writer.reopen(row.id, row.receiver);
    writer.mark(2, "handled");
    writer.mark(7, "handled");
    assert.equal(writer.append({ message: JSON.parse(solo), receiver: "a" }), 8);
    writer.flushSync();
    assert.deepEqual(log.unfinished().map((r) => r.id), [8]);
    assert.equal(log.prune(8).deliveries, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a record holds at most MAX_RECORD_SPAN receivers; prune takes ranges that cut records", async () => {
  using dir = tempDataDir();
  const path = join(dir.path, "caxton.db");
  using store = openStore(path);
  using writer = new GroupCommitWriter(store.messages, { maxBatch: 4_096 });
  // One body given 3,000 times in a row (what a repeated identical send looks like).
  const message: AclMessage = { performative: "inform", sender: "s", receiver: ["r"] };
  const body = JSON.stringify(message);
  const ids = Array.from({ length: 3_000 }, () => writer.append({ message, receiver: "r", body }));
  for (const id of ids.slice(0, -1)) writer.mark(id, "handled");
  await writer.flush();
  assert.equal(count(path, "SELECT COUNT(*) AS n FROM log_records"), 3);
  // Pruned in ranges that cut through records: each goes once all of it is done.
  let pruned = 0;
  for (let from = 0; from < 3_001; from += 700) {
    pruned += store.messages.prune(from + 700, { from }).deliveries;
  }
  assert.equal(pruned, 2_048, "the two full records; the last holds an unfinished delivery");
  assert.equal(count(path, "SELECT COUNT(*) AS n FROM log_records"), 1);
  assert.equal(store.messages.byAgent("r")[0]!.id, 2_049);
  assert.deepEqual(store.messages.unfinished().map((r) => r.id), [3_000]);
  assert.equal(store.messages.size().deliveries, 952);
});
