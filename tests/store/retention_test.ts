import assert from "node:assert/strict";
import { join } from "node:path";
import { type LogRecord, LogRetention, openStore, type Store } from "../../src/store/mod.ts";
import type { AclMessage } from "../../src/acl/mod.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";
import { sleep, tempDataDir } from "../_support/node.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29);

/**
 * Deliveries at positions 1.., each accepted `ageMs[i]` before NOW; 100-byte bodies. Each
 * delivery goes to a receiver of its own ("p<position>"), so any set of them can be handled.
 */
function fill(store: Store, ages: number[], receivers = 1): void {
  const records: LogRecord[] = [];
  let id = store.messages.lastId();
  ages.forEach((age, i) => {
    const names = Array.from({ length: receivers }, (_, k) => `p${id + 1 + k}`);
    const message: AclMessage = {
      performative: "inform",
      sender: "s",
      receiver: names,
      content: `${i}`.padEnd(100, "."),
    };
    records.push({
      id: id + 1,
      at: NOW - age,
      receivers: names,
      body: JSON.stringify(message),
      traceId: null,
    });
    id += receivers;
  });
  store.messages.writeBatch({ records, outcomes: [], watermarks: [], doneThrough: 0, lastId: id });
}

/** Marks the deliveries at `ids` handled: each one's receiver's watermark passes it. */
function handled(store: Store, ids: number[]): void {
  store.messages.writeBatch({
    records: [],
    outcomes: [],
    watermarks: ids.map((id) => [`p${id}`, id] as const),
    doneThrough: 0,
    lastId: 0,
  });
}

function left(store: Store): number[] {
  return store.messages.between(0, Number.MAX_SAFE_INTEGER, { limit: 1000 }).map((r) => r.id);
}

Deno.test("retention by age prunes old finished deliveries and keeps unfinished and recent ones", async () => {
  using dir = tempDataDir();
  using store = openStore(join(dir.path, "caxton.db"));
  // 1-4 are 10 days old, 5-6 one hour old. 2 and 3 are still accepted (3's receiver working
  // on it), 4 failed; 1, 5 and 6 handled.
  fill(store, [10 * DAY, 10 * DAY, 10 * DAY, 10 * DAY, 3_600_000, 3_600_000]);
  handled(store, [1, 5, 6]);
  store.messages.writeBatch({
    records: [],
    outcomes: [{ id: 4, status: "failed", reason: "trap", at: NOW }],
    watermarks: [],
    doneThrough: 0,
    lastId: 0,
  });
  await using retention = new LogRetention(store.messages, {
    maxAgeMs: 7 * DAY,
    maxBytes: 0,
    intervalMs: 60_000,
    chunk: 2,
    now: () => NOW,
  });
  const pruned = await retention.pass();
  assert.equal(pruned.deliveries, 2, "1 and 4");
  assert.deepEqual(left(store), [2, 3, 5, 6]);
  assert.deepEqual(store.messages.unfinished().map((r) => r.id), [2, 3], "nothing unfinished lost");
  assert.equal(store.messages.size().deliveries, 4);
  assert.deepEqual(store.messages.pruned, pruned);
  // Once handled, the old ones go at the next pass.
  handled(store, [2, 3]);
  assert.equal((await retention.pass()).deliveries, 2);
  assert.deepEqual(left(store), [5, 6]);
});

Deno.test("retention by size prunes the oldest finished deliveries down under the budget", async () => {
  using dir = tempDataDir();
  using store = openStore(join(dir.path, "caxton.db"));
  // 40 messages to 3 receivers each (one body per message), all of today.
  fill(store, Array(40).fill(0), 3);
  const ids = Array.from({ length: 120 }, (_, i) => i + 1);
  handled(store, ids.filter((id) => id !== 2)); // 2: the oldest, still unfinished
  const full = store.messages.size();
  assert.equal(full.deliveries, 120);
  const budget = Math.floor(full.bytes / 2);
  await using retention = new LogRetention(store.messages, {
    maxAgeMs: 0,
    maxBytes: budget,
    intervalMs: 60_000,
    chunk: 16,
  });
  const pruned = await retention.pass();
  const after = store.messages.size();
  assert.ok(after.bytes <= budget, `${after.bytes} bytes left, budget ${budget}`);
  assert.ok(after.bytes > budget / 4, `pruned to ${after.bytes}: only what was needed`);
  assert.equal(after.bytes, full.bytes - pruned.bytes, "the estimate follows what was pruned");
  const remaining = left(store);
  // A message is one record: the one holding unfinished delivery 2 stays whole.
  assert.deepEqual(remaining.slice(0, 3), [1, 2, 3], "the unfinished oldest stays");
  assert.equal(store.messages.unfinished()[0]!.message.content, "0".padEnd(100, "."));
  assert.deepEqual(remaining.slice(3), ids.slice(ids.length - remaining.length + 3), "newest kept");
  // Under budget: a pass prunes nothing.
  assert.equal((await retention.pass()).deliveries, 0);
});

Deno.test("retention with no limit set never runs; closing stops a pass between transactions", async () => {
  using dir = tempDataDir();
  using store = openStore(join(dir.path, "caxton.db"));
  fill(store, Array(50).fill(10 * DAY));
  handled(store, Array.from({ length: 50 }, (_, i) => i + 1));
  const off = new LogRetention(store.messages, { maxAgeMs: 0, maxBytes: 0, intervalMs: 10 });
  off.start();
  await off.close(); // no timer was left behind (the sanitizer would say)
  const retention = new LogRetention(store.messages, {
    maxAgeMs: DAY,
    maxBytes: 0,
    intervalMs: 60_000,
    chunk: 5,
    now: () => NOW,
  });
  const pass = retention.pass();
  await retention.close();
  const pruned = await pass;
  assert.equal(pruned.deliveries, 5, "the first transaction only");
  assert.equal(store.messages.size().deliveries, 45);
});

Deno.test("a node prunes its log on its own and reports the log's size and what it pruned on /metrics", async () => {
  await using n = await startApiNode({
    messageLogMaxAgeMs: 1,
    messageLogPruneIntervalMs: 20,
  });
  await deploy(n.api, "echo", "echo_wat");
  await call(`${n.api}/participants/alice`, { method: "PUT" });
  for (let i = 0; i < 20; i++) {
    const sent = await call(`${n.api}/participants/alice/messages`, {
      method: "POST",
      json: { performative: "request", receiver: ["echo"], content: `m${i}` },
    });
    assert.equal(sent.status, 202);
  }
  const metric = (text: string, name: string) =>
    Number(text.match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1] ?? NaN);
  let text = "";
  const end = Date.now() + 20_000;
  while (!(metric(text, "caxton_message_log_pruned_deliveries_total") >= 20)) {
    if (Date.now() > end) throw new Error(`retention pruned too little:\n${text}`);
    await sleep(20);
    text = await (await fetch(`${n.url}/metrics`)).text();
  }
  assert.ok(metric(text, "caxton_message_log_pruned_bytes_total") > 20 * 100);
  assert.ok(metric(text, "caxton_message_log_deliveries") >= 0);
  assert.ok(metric(text, "caxton_message_log_bytes") >= 0);
  // Positions are never handed out twice, however much was pruned.
  assert.ok(n.node.store.messages.lastId() >= 40, "20 requests and 20 replies were numbered");
  assert.match(text, /^# TYPE caxton_message_log_bytes gauge$/m);
});
