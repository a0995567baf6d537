import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { wat } from "../_support/wat.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { tempDataDir, TestParticipant, until } from "../_support/node.ts";
import { runCliWith } from "../_support/process.ts";

/** Key, then value, as (offset, bytes) pairs in the agent's data segments. */
const ENTRIES: [string, string][] = [
  ["k/a", "alpha"],
  ["k/b", "beta"],
  ["k/c", "\\ff\\fe\\00\\01"], // not UTF-8: shown as base64
  ["k/d", "delta"],
  ["z", "zed"],
];

/** An agent that, on any message, stores ENTRIES with state_set. */
const KEEPER = wat(`(module
  (import "caxton" "state_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ${
  ENTRIES.map(([k, v], i) =>
    `(data (i32.const ${i * 64}) "${k}") (data (i32.const ${i * 64 + 32}) "${v}")`
  ).join("\n  ")
}
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32)
    ${
  ENTRIES.map(([k, v], i) =>
    `(drop (call $set (i32.const ${i * 64}) (i32.const ${k.length}) (i32.const ${
      i * 64 + 32
    }) (i32.const ${v.replaceAll(/\\[0-9a-f]{2}/g, "x").length})))`
  ).join("\n    ")
}
    (i32.const 0)))`);

async function keeperNode() {
  const n = await startApiNode();
  await n.node.agents.deploy("keeper", KEEPER);
  using me = new TestParticipant(n.node);
  me.send({ performative: "inform", receiver: ["keeper"], content: "store" });
  await until(() => n.node.agents.get("keeper").counters.handled === 1, "keeper handled one");
  return n;
}

Deno.test("GET /agents/{name}/state lists keys and values by prefix and page; binary values come as base64", async () => {
  await using n = await keeperNode();
  const all = await call(`${n.api}/agents/keeper/state`);
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.items.map((e: { key: string }) => e.key), [
    "k/a",
    "k/b",
    "k/c",
    "k/d",
    "z",
  ]);
  assert.equal(all.body.next, null);
  assert.deepEqual(all.body.items[0], { key: "k/a", value: "alpha", encoding: "utf8", bytes: 5 });
  assert.deepEqual(all.body.items[2], {
    key: "k/c",
    value: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString("base64"),
    encoding: "base64",
    bytes: 4,
  });

  const first = await call(`${n.api}/agents/keeper/state?prefix=k/&limit=2`);
  assert.deepEqual(first.body.items.map((e: { key: string }) => e.key), ["k/a", "k/b"]);
  assert.equal(first.body.next, "k/b");
  const second = await call(`${n.api}/agents/keeper/state?prefix=k/&limit=2&after=k/b`);
  assert.deepEqual(second.body.items.map((e: { key: string }) => e.key), ["k/c", "k/d"]);
  assert.equal(second.body.next, null, "the prefix ends before z");

  const one = await call(`${n.api}/agents/keeper/state/${encodeURIComponent("k/b")}`);
  assert.deepEqual(one.body, { key: "k/b", value: "beta", encoding: "utf8", bytes: 4 });
  const unencoded = await call(`${n.api}/agents/keeper/state/k/d`);
  assert.equal(unencoded.body.value, "delta", "a key with / works unencoded too");

  assertProblem(await call(`${n.api}/agents/keeper/state/nope`), 404, "state_key_not_found");
  assertProblem(await call(`${n.api}/agents/nobody/state`), 404, "agent_not_found");
  assertProblem(await call(`${n.api}/agents/keeper/state?limit=0`), 400, "bad_query");
});

Deno.test("`caxton agent state NAME [KEY]` shows an agent's state through the API", async () => {
  await using n = await keeperNode();
  using elsewhere = tempDataDir();
  const cli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" }, cwd: elsewhere.path }, ...args);
  const table = await cli("agent", "state", "keeper", "--prefix", "k/", "--limit", "3");
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split("\n");
  assert.match(lines[0]!, /^KEY +BYTES +VALUE$/);
  assert.match(lines[1]!, /^k\/a +5 +alpha$/);
  assert.match(lines[3]!, /^k\/c +4 +base64:\/\/4AAQ==$/);
  assert.equal(lines[4], "more: caxton agent state keeper --after k/c");
  const value = await cli("agent", "state", "keeper", "k/b");
  assert.equal(value.code, 0, value.stderr);
  assert.equal(value.stdout, "beta\n");
  const json = await cli("agent", "state", "keeper", "z", "--json");
  assert.deepEqual(JSON.parse(json.stdout), { key: "z", value: "zed", encoding: "utf8", bytes: 3 });
  const missing = await cli("agent", "state", "keeper", "nope");
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /— `caxton agent state keeper` lists its keys$/m);
});
