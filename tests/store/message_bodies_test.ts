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
    const bodies = count(path, "SELECT COUNT(*) AS n FROM message_bodies WHERE bytes > 65536");
    assert.equal(bodies, 1, "one stored body");
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
  const real = messageLogBytes(path) - before;
  const estimated = store.messages.size().bytes;
  const ratio = estimated / real;
  assert.ok(ratio > 0.6 && ratio < 1.5, `estimated ${estimated} bytes, stored ${real}`);
});

Deno.test("a version 4 log migrates: a fan-out's rows share one body, every query reads the same", () => {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bodies-" });
  const path = join(dir, "caxton.db");
  try {
    const v4 = openDatabase(path, MIGRATIONS.slice(0, 4));
    const fan = JSON.stringify({
      performative: "inform",
      sender: "a",
      receiver: ["b", "c", "d"],
      conversationId: "k",
      content: "é",
    });
    const solo = JSON.stringify({ performative: "request", sender: "b", receiver: ["a"] });
    const insert = v4.prepare(
      `INSERT INTO messages (id, accepted_at, sender, receiver, conversation_id, performative,
         body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const deliver = v4.prepare(
      "INSERT INTO deliveries (message_id, receiver, status, updated_at) VALUES (?, ?, ?, 1)",
    );
    // Positions 1-3: one message to three receivers; 4: another; 5: the same text as 1-3 but
    // not next to them (a second send of it); 7 after a pruned gap at 6.
    const rows: [number, string, string, string | null, string][] = [
      [1, "b", fan, "k", "handled"],
      [2, "c", fan, "k", "accepted"],
      [3, "d", fan, "k", "handled"],
      [4, "a", solo, null, "dead"],
      [5, "b", fan, "k", "handled"],
      [7, "b", fan, "k", "delivered"],
    ];
    for (const [id, receiver, body, conversation, status] of rows) {
      const parsed = JSON.parse(body);
      insert.run(id, 1_000 + id, parsed.sender, receiver, conversation, parsed.performative, body);
      deliver.run(id, receiver, status);
    }
    v4.exec("UPDATE deliveries SET reason = 'nobody' WHERE message_id = 4");
    v4.exec("INSERT INTO dead_letters (message_id, reason, at) VALUES (4, 'nobody', 9)");
    v4.close();

    using store = openStore(path);
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual(
        db.prepare("SELECT id, last_id, bytes FROM message_bodies ORDER BY id").all()
          .map((r) => ({ ...r })),
        [
          { id: 1, last_id: 3, bytes: new TextEncoder().encode(fan).length },
          { id: 4, last_id: 4, bytes: solo.length },
          { id: 5, last_id: 5, bytes: new TextEncoder().encode(fan).length },
          { id: 7, last_id: 7, bytes: new TextEncoder().encode(fan).length },
        ],
      );
      assert.deepEqual(
        db.prepare("SELECT id, body_id FROM messages ORDER BY id").all().map((r) => ({ ...r })),
        [[1, 1], [2, 1], [3, 1], [4, 4], [5, 5], [7, 7]].map(([id, body_id]) => ({ id, body_id })),
      );
      const columns = db.prepare("PRAGMA table_info(messages)").all().map((c) => c.name);
      assert.ok(!columns.includes("body"), "the per-row body column is gone");
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
    assert.deepEqual(log.unfinished().map((r) => [r.id, r.status]), [[2, "accepted"], [
      7,
      "delivered",
    ]]);
    assert.deepEqual(log.deadLetters().map((d) => [d.id, d.reason, d.message.sender]), [
      [4, "nobody", "b"],
    ]);
    assert.deepEqual(log.byAgent("a").map((r) => r.id), [1, 2, 3, 4, 5, 7]);
    assert.deepEqual(log.between(1_003, 1_006).map((r) => r.id), [3, 4, 5]);
    assert.equal(log.size().deliveries, 6);
    assert.equal(log.lastId(), 7);

    // Pruning after the migration: the fan-out's body stays while its unfinished row does.
    assert.equal(log.prune(8).deliveries, 4, "1, 3, 4 and 5 are finished; 7 is the newest");
    assert.deepEqual(log.byConversation("k").map((r) => r.id), [2, 7]);
    assert.equal(log.byConversation("k")[0]!.message.content, "é");
    log.markBatch([{ id: 2, status: "handled" }]);
    assert.equal(log.prune(8).deliveries, 1);
    const left = new DatabaseSync(path);
    try {
      assert.deepEqual(
        left.prepare("SELECT id FROM message_bodies ORDER BY id").all().map((r) => r.id),
        [7],
        "bodies go with their last row",
      );
    } finally {
      left.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a body is shared by at most MAX_BODY_SPAN positions; prune finds the bodies of any range", async () => {
  using dir = tempDataDir();
  const path = join(dir.path, "caxton.db");
  using store = openStore(path);
  using writer = new GroupCommitWriter(store.messages, { maxBatch: 4_096 });
  // One body given 3,000 times in a row (what a repeated identical send looks like).
  const message: AclMessage = { performative: "inform", sender: "s", receiver: ["r"] };
  const body = JSON.stringify(message);
  const ids = Array.from({ length: 3_000 }, () => writer.append({ message, receiver: "r", body }));
  for (const id of ids) writer.mark(id, "handled");
  await writer.flush();
  assert.equal(count(path, "SELECT COUNT(*) AS n FROM message_bodies"), 3);
  // Pruned in ranges that cut through bodies: each body goes once its last row has.
  let pruned = 0;
  for (let from = 0; from < 3_001; from += 700) {
    pruned += store.messages.prune(from + 700, { from }).deliveries;
  }
  assert.equal(pruned, 2_999, "all but the newest row");
  assert.equal(count(path, "SELECT COUNT(*) AS n FROM message_bodies"), 1);
  assert.equal(store.messages.byAgent("r")[0]!.id, 3_000);
  assert.equal(store.messages.size().deliveries, 1);
});
