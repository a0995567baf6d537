/**
 * The security corpus (issue 17), generated from the route table: every
 * route × every kind of bad credential (401), and × every role (403 where
 * the role lacks the permission, through to the handler where it has it).
 * What each role may do is written out here by hand, the specification the
 * role data in src/auth/roles.ts must meet.
 */
import assert from "node:assert/strict";
import { createApp } from "../../src/api/mod.ts";
import {
  compileRoles,
  createSecurity,
  KeyRing,
  type Role,
  ROUTE_TABLE,
  type RouteRule,
} from "../../src/auth/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { AUDIENCE, BAD_JWTS, ISSUER, startJwks } from "../_support/jwks.ts";
import { join, tempDataDir, until } from "../_support/node.ts";

/** What each built-in role may do: action → allowed targets (`*`: any; `self`: its own ext: name). */
const SPEC: Record<string, Record<string, "*" | "self">> = {
  admin: Object.fromEntries(
    [
      "agents.read",
      "agents.deploy",
      "agents.lifecycle",
      "state.read",
      "messages.send",
      "messages.read",
      "participants.manage",
      "participants.act",
      "tools.read",
      "mcp.use",
      "cluster.read",
      "backup.create",
      "metrics.read",
      "keys.manage",
      "audit.read",
      "self.read",
    ].map((a) => [a, "*"]),
  ),
  operator: Object.fromEntries(
    [
      "agents.read",
      "agents.deploy",
      "agents.lifecycle",
      "state.read",
      "messages.send",
      "messages.read",
      "participants.manage",
      "participants.act",
      "tools.read",
      "mcp.use",
      "cluster.read",
      "backup.create",
      "metrics.read",
      "audit.read",
      "self.read",
    ].map((a) => [a, "*"]),
  ),
  developer: Object.fromEntries(
    [
      "agents.read",
      "agents.deploy",
      "agents.lifecycle",
      "state.read",
      "messages.send",
      "messages.read",
      "participants.manage",
      "participants.act",
      "tools.read",
      "mcp.use",
      "cluster.read",
      "metrics.read",
      "self.read",
    ].map((a) => [a, "*"]),
  ),
  viewer: Object.fromEntries(
    [
      "agents.read",
      "state.read",
      "messages.read",
      "tools.read",
      "cluster.read",
      "metrics.read",
      "self.read",
    ]
      .map((a) => [a, "*"]),
  ),
  participant: { "participants.act": "self", "self.read": "*" },
};

const TEAM_A: Role = {
  name: "team-a-dev",
  grants: [{ action: "agents.*", targets: ["team-a.*"] }, { action: "self.read" }],
};

/** The participant key acts as ext:team-a.x; the second target is someone else's. */
const OWN = "team-a.x";
const OTHER = "team-b.y";

function concrete(rule: RouteRule, name: string): string {
  return rule.path.replace(/:name/, name).replace(/:key\{[^}]*\}/, "k").replace(/:(\w+)/g, "i")
    .replace(/\*$/, "x");
}

function expectedFor(role: string, rule: RouteRule, name: string): "allow" | "deny" {
  if (rule.action === "public") return "allow";
  const action = rule.action === "metrics" ? "metrics.read" : rule.action;
  if (role === TEAM_A.name) {
    if (action === "self.read") return "allow";
    return action.startsWith("agents.") && rule.target === "agent" && name.startsWith("team-a.")
      ? "allow"
      : "deny";
  }
  const scope = SPEC[role]![action];
  if (scope === undefined) return "deny";
  if (scope === "*") return "allow";
  return rule.target === "participant" && name === OWN ? "allow" : "deny";
}

async function statusOf(url: string, method: string, authorization?: string): Promise<number> {
  const res = await fetch(url, {
    method: method === "ALL" ? "POST" : method,
    headers: authorization === undefined ? {} : { authorization },
  });
  // Streams (tails) answer with headers first: the status is all the corpus needs.
  await res.body?.cancel();
  return res.status;
}

Deno.test("security corpus: every route × bad credentials is 401, × each role 403 or through, as the spec says", async () => {
  using dir = tempDataDir();
  await using jwks = await startJwks();
  let soon = 0;
  const keys: Record<string, string> = {};
  {
    using store = openStore(join(dir.path, "caxton.db"));
    const roles = compileRoles([TEAM_A]);
    const ring = new KeyRing(store.apiKeys, (r) => roles.has(r));
    for (const role of [...Object.keys(SPEC), TEAM_A.name]) {
      keys[role] = ring.create({ role, name: role === "participant" ? `ext:${OWN}` : null }).key;
    }
    const revoked = ring.create({ role: "admin" });
    ring.revoke(revoked.record.id);
    keys.revoked = revoked.key;
    soon = Date.now() + 200;
    keys.expired = ring.create({ role: "admin", expiresAt: soon }).key;
  }
  await until(() => Date.now() > soon, "the expiring key to expire");
  await using n = await startApiNode({
    dataDir: dir.path,
    security: {
      ...defaultConfig().security,
      auth: "required",
      roles: [TEAM_A],
      jwt: {
        jwksUrl: jwks.url,
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["RS256"],
        roleClaim: "caxton_role",
        clockSkewSec: 5,
      },
    },
  });
  const bad: [string, string | undefined][] = [
    ["no credentials", undefined],
    ["malformed header", "Token abc"],
    ["malformed bearer", "Bearer"],
    ["wrong key", `Bearer ${keys.admin!.slice(0, -4)}AAAA`],
    ["revoked key", `Bearer ${keys.revoked}`],
    ["expired key", `Bearer ${keys.expired}`],
    ["wrong static token", "Bearer not-a-key-nor-a-jwt"],
  ];
  for (const kind of BAD_JWTS) bad.push([`jwt ${kind}`, `Bearer ${await jwks.bad(kind)}`]);
  const roles: [string, string][] = Object.entries(keys)
    .filter(([role]) => role in SPEC || role === TEAM_A.name)
    .map(([role, key]) => [role, `Bearer ${key}`]);
  roles.push(["viewer", `Bearer ${await jwks.token("jwt-viewer", "viewer")}`]);
  roles.push(["operator", `Bearer ${await jwks.token("jwt-operator", "operator")}`]);

  const mismatches: string[] = [];
  let checked = 0;
  for (const rule of ROUTE_TABLE) {
    for (const name of rule.path.includes(":name") ? [OWN, OTHER] : [OWN]) {
      const url = `${n.url}${concrete(rule, name)}`;
      for (const [what, authorization] of bad) {
        const status = await statusOf(url, rule.method, authorization);
        const ok = rule.action === "public" ? status !== 401 && status !== 403 : status === 401;
        if (!ok) mismatches.push(`${rule.method} ${url} with ${what}: ${status}`);
        checked++;
      }
      for (const [role, authorization] of roles) {
        const status = await statusOf(url, rule.method, authorization);
        const expected = expectedFor(role, rule, name);
        const ok = expected === "deny" ? status === 403 : status !== 401 && status !== 403;
        if (!ok) {
          mismatches.push(`${rule.method} ${url} as ${role}: ${status}, expected ${expected}`);
        }
        checked++;
      }
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(checked > 1000, `${checked} cases`);
});

Deno.test("a route added without a route-table entry is refused 403, even to an admin", async () => {
  using store = openStore(":memory:");
  const roles = compileRoles();
  const key = new KeyRing(store.apiKeys, (r) => roles.has(r)).create({ role: "admin" }).key;
  const config = {
    ...defaultConfig(),
    dataDir: ":memory:",
    security: { ...defaultConfig().security, auth: "required" as const },
  };
  const security = createSecurity(config, store);
  const app = createApp({ closing: new AbortController().signal, store, security } as never);
  app.get("/api/v1/new-thing", (c) => c.text("should not be reached"));
  const res = await app.request("/api/v1/new-thing", {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(res.status, 403);
  assert.match((await res.json()).detail, /no entry in the route table/);
  // A path nobody serves is still a 404.
  assert.equal(
    (await app.request("/api/v1/nothing-here", { headers: { authorization: `Bearer ${key}` } }))
      .status,
    404,
  );
});
