import assert from "node:assert/strict";
import { startNode } from "../../main.ts";
import { type ApiDeps, createApp } from "../../src/api/mod.ts";
import { uncoveredRoutes } from "../../src/api/access.ts";
import {
  compileRoles,
  InsecureStartError,
  KeyRing,
  type Role,
  ROUTE_TABLE,
} from "../../src/auth/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { SILENT_LOGGER } from "../../src/telemetry/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { join, tempDataDir, until } from "../_support/node.ts";

/** Creates keys on a stopped node's store, as `caxton key create --offline` does. */
function offlineKeys(
  dataDir: string,
  keys: { role: string; name?: string; expiresAt?: number }[],
  custom: Role[] = [],
) {
  Deno.mkdirSync(dataDir, { recursive: true });
  using store = openStore(join(dataDir, "caxton.db"));
  const roles = compileRoles(custom);
  const ring = new KeyRing(store.apiKeys, (r) => roles.has(r));
  return keys.map((k) =>
    ring.create({ role: k.role, name: k.name ?? null, expiresAt: k.expiresAt ?? null })
  );
}

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

Deno.test("every route the app serves has an entry in the route table", () => {
  const app = createApp({ closing: new AbortController().signal } as unknown as ApiDeps);
  assert.deepEqual(uncoveredRoutes(app.routes), []);
  // The check sees a route the table forgot.
  app.get("/api/v1/forgotten", (c) => c.text("x"));
  assert.deepEqual(uncoveredRoutes(app.routes), [{ method: "GET", path: "/api/v1/forgotten" }]);
  assert.ok(ROUTE_TABLE.length >= 40);
});

Deno.test("on loopback a node needs no credentials (zero config)", async () => {
  await using n = await startApiNode();
  assert.equal((await call(`${n.api}/agents`)).status, 200);
  const me = await call(`${n.api}/whoami`);
  assert.equal(me.status, 200);
  assert.equal(me.body.id, "local");
  assert.equal(me.body.authRequired, false);
});

Deno.test("required auth: 401 without or with a bad key, 403 naming the missing permission, 2xx when granted", async () => {
  using dir = tempDataDir();
  const soon = Date.now() + 1_000;
  const teamARole: Role = {
    name: "team-a-dev",
    grants: [{ action: "agents.*", targets: ["team-a.*"] }, { action: "agents.read" }],
  };
  const [admin, viewer, revoked, expiring, teamA, part] = offlineKeys(dir.path, [
    { role: "admin" },
    { role: "viewer" },
    { role: "developer" },
    { role: "developer", expiresAt: soon },
    { role: "team-a-dev" },
    { role: "participant", name: "alice" },
  ], [teamARole]);
  await using n = await startApiNode({
    dataDir: dir.path,
    security: {
      ...defaultConfig().security,
      auth: "required",
      roles: [teamARole],
    },
  });
  const none = await call(`${n.api}/agents`);
  assertProblem(none, 401, "unauthorized");
  assert.equal(none.body.failure, "missing");
  assert.equal(none.body.permission, "agents.read");
  assertProblem(
    await call(`${n.api}/agents`, { headers: { authorization: "Basic abc" } }),
    401,
    "unauthorized",
  );
  const wrong = await call(`${n.api}/agents`, bearer(`${admin!.key.slice(0, -2)}xx`));
  assertProblem(wrong, 401, "unauthorized");
  assert.equal(wrong.body.failure, "unknown_key");
  // Revoked through the API by the admin.
  const revoke = await call(`${n.api}/keys/${revoked!.record.id}`, {
    method: "DELETE",
    ...bearer(admin!.key),
  });
  assert.equal(revoke.status, 200);
  assert.equal(typeof revoke.body.revokedAt, "number");
  const r = await call(`${n.api}/agents`, bearer(revoked!.key));
  assertProblem(r, 401, "unauthorized");
  assert.equal(r.body.failure, "revoked");
  await until(() => Date.now() > soon, "the key's expiry to pass");
  const e = await call(`${n.api}/agents`, bearer(expiring!.key));
  assert.equal(e.body.failure, "expired");

  assert.equal((await call(`${n.api}/agents`, bearer(viewer!.key))).status, 200);
  const denied = await call(`${n.api}/agents/x/stop`, { method: "POST", ...bearer(viewer!.key) });
  assertProblem(denied, 403, "forbidden");
  assert.equal(denied.body.permission, "agents.lifecycle");
  assert.equal(denied.body.target, "x");
  assert.match(
    denied.body.detail,
    /Role "viewer" does not have permission "agents.lifecycle" on "x"/,
  );

  // A custom role scoped to agent names team-a.*.
  const outOfScope = await call(`${n.api}/agents/team-b.x/stop`, {
    method: "POST",
    ...bearer(teamA!.key),
  });
  assertProblem(outOfScope, 403, "forbidden");
  const inScope = await call(`${n.api}/agents/team-a.x/stop`, {
    method: "POST",
    ...bearer(teamA!.key),
  });
  assert.equal(inScope.status, 404, "allowed through to the handler: no such agent");

  // A participant acts as its own ext: name only.
  assert.equal(
    (await call(`${n.api}/participants/alice`, { method: "PUT", json: {}, ...bearer(admin!.key) }))
      .status,
    201,
  );
  assert.equal((await call(`${n.api}/participants/alice/messages`, bearer(part!.key))).status, 200);
  assertProblem(
    await call(`${n.api}/participants/bob/messages`, bearer(part!.key)),
    403,
    "forbidden",
  );
  assertProblem(await call(`${n.api}/agents`, bearer(part!.key)), 403, "forbidden");

  // Probes stay open; /metrics is protected by default; the MCP endpoint is covered.
  assert.equal((await call(`${n.url}/health`)).status, 200);
  assert.equal((await call(`${n.url}/ready`)).status, 200);
  assertProblem(await call(`${n.url}/metrics`), 401, "unauthorized");
  assert.equal((await call(`${n.url}/metrics`, bearer(viewer!.key))).status, 200);
  assertProblem(await call(`${n.url}/mcp`, { method: "POST", json: {} }), 401, "unauthorized");
  assertProblem(await call(`${n.api}/messages/tail`), 401, "unauthorized");

  const me = await call(`${n.api}/whoami`, bearer(viewer!.key));
  assert.equal(me.body.role, "viewer");
  assert.equal(me.body.id, viewer!.record.id);
  assert.ok(me.body.permissions.some((p: { action: string }) => p.action === "agents.read"));
});

Deno.test("keys are created, listed and revoked through the API; the secret is never listed", async () => {
  using dir = tempDataDir();
  const [admin] = offlineKeys(dir.path, [{ role: "admin" }]);
  await using n = await startApiNode({
    dataDir: dir.path,
    security: { ...defaultConfig().security, auth: "required" },
  });
  const created = await call(`${n.api}/keys`, {
    method: "POST",
    json: { role: "operator", expires: "1d" },
    ...bearer(admin!.key),
  });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^cxk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  assert.ok(created.body.record.expiresAt > Date.now() + 86_000_000);
  assert.equal((await call(`${n.api}/agents`, bearer(created.body.key))).status, 200);
  const list = await call(`${n.api}/keys`, bearer(admin!.key));
  assert.equal(list.body.items.length, 2);
  assert.ok(
    !JSON.stringify(list.body).includes(created.body.key.slice(13)),
    "no secret in the list",
  );
  assert.ok(!("hash" in list.body.items[0]));
  assertProblem(await call(`${n.api}/keys`, bearer(created.body.key)), 403, "forbidden");
  assertProblem(
    await call(`${n.api}/keys`, { method: "POST", json: { role: "nope" }, ...bearer(admin!.key) }),
    400,
    "unknown_role",
  );
  assertProblem(
    await call(`${n.api}/keys/cxk_00000000`, { method: "DELETE", ...bearer(admin!.key) }),
    404,
    "key_not_found",
  );
});

Deno.test("a node on 0.0.0.0 without credentials refuses to start and says how to create a key", async () => {
  using dir = tempDataDir();
  const config = { ...defaultConfig(), host: "0.0.0.0", port: 0, workers: 1, dataDir: dir.path };
  await assert.rejects(
    () => startNode(config, { logger: SILENT_LOGGER }),
    (error: Error) => {
      assert.ok(error instanceof InsecureStartError);
      assert.match(error.message, /caxton key create --role admin --offline --data-dir/);
      return true;
    },
  );
  // The data dir is free again: the refusal released it.
  offlineKeys(dir.path, [{ role: "admin" }]);
});

Deno.test("a key request whose body is not JSON is a 400 problem (found by the API fuzz test)", async () => {
  await using n = await startApiNode();
  const res = await call(`${n.api}/keys`, {
    method: "POST",
    headers: { "content-type": "APPLICATION/JSON" },
    body: "(accept-proposal :sender a)",
  });
  assertProblem(res, 400, "bad_json");
  assertProblem(
    await call(`${n.api}/keys`, { method: "POST", json: { name: "no role" } }),
    400,
    "bad_request",
  );
});
