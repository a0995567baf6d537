import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openStore, restoreDatabase, verifyBackup } from "../../src/store/mod.ts";
import { DEFAULT_LIMITS } from "../../src/config/mod.ts";

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "caxton-store-" });
}

function seedModule(store: ReturnType<typeof openStore>, hash = "h1") {
  store.modules.put(new Uint8Array([0, 97, 115, 109]), {
    hash,
    options: "{}",
    metered: new Uint8Array([0, 97, 115, 109, 1]),
    hasInit: false,
  });
}

function seedAgent(store: ReturnType<typeof openStore>, name: string, moduleHash = "h1") {
  return store.agents.create({ name, moduleHash, isolation: "shared", limits: DEFAULT_LIMITS });
}

Deno.test("a new database is in WAL mode with its migrations recorded", () => {
  const dir = tempDir();
  const path = join(dir, "caxton.db");
  openStore(path).close();
  const db = new DatabaseSync(path);
  try {
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      "wal",
    );
    const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { version: 1, name: "core" },
      { version: 2, name: "messages" },
      { version: 3, name: "jobs" },
      { version: 4, name: "agent_tools" },
      { version: 5, name: "message_bodies" },
      { version: 6, name: "transition_causes" },
      { version: 7, name: "message_log_records" },
      { version: 8, name: "security" },
      { version: 9, name: "timers" },
      { version: 10, name: "agent_keep_alive" },
      { version: 11, name: "deployments" },
      { version: 13, name: "agent_instances" },
      { version: 14, name: "agent_lookups" },
      { version: 15, name: "agent_language" },
      { version: 17, name: "agent_max_instances" },
    ]);
  } finally {
    db.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("reopening a database applies no migration twice and keeps data", () => {
  const dir = tempDir();
  const path = join(dir, "caxton.db");
  {
    using store = openStore(path);
    seedModule(store);
    seedAgent(store, "a", "h1");
  }
  using store = openStore(path);
  assert.deepEqual(store.agents.list().map((a) => a.name), ["a"]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("agents, versions, transitions and state are kept by their repositories", () => {
  using store = openStore(":memory:");
  seedModule(store, "h1");
  seedModule(store, "h2");
  const agent = seedAgent(store, "echo", "h1");
  assert.equal(agent.state, "unloaded");
  assert.equal(agent.version, 1);
  store.agents.recordTransition(agent, "loaded", "deployed");
  store.agents.addVersion(agent.id, 2, "h2");
  const now = store.agents.byName("echo")!;
  assert.equal(now.state, "loaded");
  assert.equal(now.version, 2);
  assert.equal(now.moduleHash, "h2");
  assert.deepEqual(store.agents.transitions(agent.id).map((t) => [t.from, t.to, t.reason]), [
    ["unloaded", "loaded", "deployed"],
  ]);
  store.state.apply(agent.id, [
    { key: "count", value: new Uint8Array([1]) },
    { key: "gone", value: new Uint8Array([2]) },
    { key: "gone", value: null },
  ]);
  assert.deepEqual([...store.state.load(agent.id).keys()], ["count"]);
  assert.deepEqual(store.modules.build("h2", "{}")!.metered, new Uint8Array([0, 97, 115, 109, 1]));
  assert.equal(store.modules.build("h2", '{"other":1}'), undefined);
  assert.deepEqual(store.modules.original("h2"), new Uint8Array([0, 97, 115, 109]));
});

Deno.test("a failed transaction leaves the previous state intact", () => {
  using store = openStore(":memory:");
  seedModule(store);
  const agent = seedAgent(store, "a", "h1");
  store.state.apply(agent.id, [{ key: "k", value: new Uint8Array([1]) }]);
  assert.throws(() =>
    store.transaction(() => {
      store.state.apply(agent.id, [{ key: "k", value: new Uint8Array([2]) }]);
      store.agents.addVersion(agent.id, 2, "no-such-module"); // foreign key fails
    })
  );
  assert.deepEqual(store.state.get(agent.id, "k"), new Uint8Array([1]));
  assert.equal(store.agents.byId(agent.id)!.version, 1);
});

Deno.test("a reader never sees half of a writer's transaction", () => {
  const dir = tempDir();
  const path = join(dir, "caxton.db");
  using store = openStore(path);
  seedModule(store);
  const agent = seedAgent(store, "a", "h1");
  const reader = new DatabaseSync(path, { readOnly: true });
  try {
    store.transaction(() => {
      store.state.apply(agent.id, [{ key: "x", value: new Uint8Array([1]) }]);
      const seen = reader.prepare("SELECT COUNT(*) AS n FROM agent_state").get() as { n: number };
      assert.equal(seen.n, 0);
      store.state.apply(agent.id, [{ key: "y", value: new Uint8Array([1]) }]);
    });
    const seen = reader.prepare("SELECT COUNT(*) AS n FROM agent_state").get() as { n: number };
    assert.equal(seen.n, 2);
  } finally {
    reader.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("backup of a live database restores elsewhere with the same agents and state", () => {
  const dir = tempDir();
  using store = openStore(join(dir, "live.db"));
  seedModule(store);
  const agent = seedAgent(store, "a", "h1");
  store.state.apply(agent.id, [{ key: "k", value: new Uint8Array([7]) }]);
  // The message log lives in the same file: a backup holds it, watermarks and all.
  store.messages.writeBatch({
    records: [{
      id: 1,
      at: 1,
      receivers: ["a", "b"],
      body: '{"performative":"inform"}',
      traceId: null,
    }],
    outcomes: [],
    watermarks: [["a", 1]],
    doneThrough: 1,
    lastId: 2,
  });
  store.backup(join(dir, "backup.db"));
  assert.throws(() => store.backup(join(dir, "backup.db")), /exists/);
  assert.deepEqual(verifyBackup(join(dir, "backup.db")), { schemaVersion: 17, agents: 1 });
  restoreDatabase(join(dir, "backup.db"), join(dir, "restored.db"));
  using restored = openStore(join(dir, "restored.db"));
  const back = restored.agents.byName("a")!;
  assert.deepEqual(restored.state.get(back.id, "k"), new Uint8Array([7]));
  assert.deepEqual(restored.messages.unfinished().map((r) => [r.id, r.receiver]), [[2, "b"]]);
  assert.equal(restored.messages.lastId(), 2);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("restore refuses a file that is not a Caxton database, and keeps the target", () => {
  const dir = tempDir();
  Deno.writeTextFileSync(join(dir, "junk.db"), "not sqlite at all, just text ".repeat(100));
  assert.throws(() => restoreDatabase(join(dir, "junk.db"), join(dir, "t.db")), /Cannot restore/);
  assert.throws(() => restoreDatabase(join(dir, "missing.db"), join(dir, "t.db")), /no such file/);
  Deno.removeSync(dir, { recursive: true });
});
