import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { defaultConfig } from "../../src/config/mod.ts";
import { compileRoles, KeyRing } from "../../src/auth/mod.ts";
import { openStore, restoreDatabase } from "../../src/store/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";
import { join, tempDataDir } from "../_support/node.ts";
import { runCliWith } from "../_support/process.ts";

Deno.test("changes and refusals are audited with who, what, target, when, from where and outcome", async () => {
  using dir = tempDataDir();
  let adminKey: string;
  {
    using store = openStore(join(dir.path, "caxton.db"));
    const roles = compileRoles();
    adminKey = new KeyRing(store.apiKeys, (r) => roles.has(r)).create({ role: "admin" }).key;
  }
  await using n = await startApiNode({
    dataDir: dir.path,
    security: { ...defaultConfig().security, auth: "required" },
  }, { keepDir: true });
  const auth = { authorization: `Bearer ${adminKey}` };
  const res = await fetch(`${n.api}/agents/echo`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/wasm" },
    body: Deno.readFileSync(new URL("../../build/agents/echo_wat.wasm", import.meta.url)),
  });
  await res.body?.cancel();
  assert.equal(res.status, 201);
  assert.equal((await call(`${n.api}/agents/echo`, { method: "DELETE" })).status, 401);
  const viewer = await call(`${n.api}/keys`, {
    method: "POST",
    json: { role: "viewer" },
    headers: auth,
  });
  assert.equal(
    (await call(`${n.api}/agents/echo/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewer.body.key}` },
    })).status,
    403,
  );
  const list = await call(`${n.api}/audit`, { headers: auth });
  const entries = list.body.items as Record<string, unknown>[];
  const pick = (action: string, outcome: string) =>
    entries.find((e) => e.action === action && e.outcome === outcome);
  assert.equal(entries[0]!.action, "node.start");
  const deployed = pick("agents.deploy", "ok")!;
  assert.equal(deployed.target, "echo");
  assert.equal(deployed.status, 201);
  assert.equal(deployed.role, "admin");
  assert.match(deployed.actor as string, /^cxk_[0-9a-f]{8}$/);
  assert.equal(deployed.source, "127.0.0.1");
  assert.ok(Math.abs((deployed.at as number) - Date.now()) < 60_000);
  assert.equal(pick("agents.lifecycle", "denied")!.status, 401);
  assert.equal(pick("agents.lifecycle", "denied")!.actor, "anonymous");
  assert.equal(pick("keys.manage", "ok")!.detail, "POST /api/v1/keys");
  const denied403 = entries.find((e) => e.status === 403)!;
  assert.equal(denied403.role, "viewer");
  assert.match(denied403.detail as string, /agents.lifecycle/);
  const verdict = await call(`${n.api}/audit/verify`, { headers: auth });
  assert.deepEqual({ ok: verdict.body.ok, entries: verdict.body.entries }, {
    ok: true,
    entries: entries.length,
  });
});

/** A data dir whose audit trail has a few entries, node stopped. */
function seeded(dataDir: string, count = 5): void {
  using store = openStore(join(dataDir, "caxton.db"));
  for (let i = 0; i < count; i++) {
    store.audit.append({
      actor: "cxk_00000001",
      role: "admin",
      action: "agents.deploy",
      target: `agent-${i}`,
      source: "127.0.0.1",
      outcome: "ok",
      status: 201,
      detail: null,
    });
  }
}

function tamper(dataDir: string, sql: string): void {
  const db = new DatabaseSync(join(dataDir, "caxton.db"));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

async function verify(dataDir: string) {
  return await runCliWith(
    { env: { NO_COLOR: "1" } },
    "audit",
    "verify",
    "--offline",
    "--data-dir",
    dataDir,
  );
}

Deno.test("caxton audit verify finds an edited, a deleted and a reordered entry in the SQLite file", async () => {
  for (
    const [what, sql, pattern] of [
      ["edit", "UPDATE audit_log SET target = 'other' WHERE seq = 3", /entry 3 was changed/],
      ["delete", "DELETE FROM audit_log WHERE seq = 3", /broken at entry 4: expected entry 3 next/],
      [
        "reorder",
        `UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = -2`,
        /broken at entry 2: entry 2 does not follow entry 1/,
      ],
    ] as const
  ) {
    using dir = tempDataDir();
    seeded(dir.path);
    const before = await verify(dir.path);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /5 entries chain unbroken/);
    tamper(dir.path, sql);
    const after = await verify(dir.path);
    assert.equal(after.code, 1, `${what}: ${after.stdout}`);
    assert.match(after.stderr, pattern, what);
  }
});

Deno.test("pruning keeps an anchor so the rest still verifies; a backup restores a verifiable trail", async () => {
  using dir = tempDataDir();
  seeded(dir.path, 3);
  const cut = Date.now() + 1;
  {
    using store = openStore(join(dir.path, "caxton.db"));
    // Entries after the cut: appended with a later time.
    for (let i = 0; i < 2; i++) {
      store.audit.append({
        actor: "node",
        role: null,
        action: "node.start",
        target: null,
        source: null,
        outcome: "ok",
        status: null,
        detail: null,
      }, cut + 10);
    }
    assert.equal(store.audit.pruneBefore(cut), 3);
    assert.deepEqual(store.audit.verify(), { ok: true, entries: 2, firstSeq: 4, lastSeq: 5 });
    // Appending after a prune continues the chain.
    store.audit.append({
      actor: "node",
      role: null,
      action: "node.start",
      target: null,
      source: null,
      outcome: "ok",
      status: null,
      detail: null,
    });
    store.backup(join(dir.path, "backup.db"));
  }
  // Tampering with the first kept entry is still seen: the anchor holds its previous hash.
  tamper(dir.path, "UPDATE audit_log SET prev_hash = hash WHERE seq = 4");
  assert.equal((await verify(dir.path)).code, 1);
  const restored = join(dir.path, "restored");
  Deno.mkdirSync(restored);
  restoreDatabase(join(dir.path, "backup.db"), join(restored, "caxton.db"));
  const ok = await verify(restored);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /3 entries chain unbroken/);
  const exported = await runCliWith({}, "audit", "export", "--offline", "--data-dir", restored);
  const lines = exported.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.seq), [4, 5, 6]);
  assert.equal(lines[1].prevHash, lines[0].hash);
});
