import assert from "node:assert/strict";
import { ConfigError, defaultConfig, loadConfig } from "../../src/config/mod.ts";
import { createSecurity } from "../../src/auth/mod.ts";
import { openStore } from "../../src/store/mod.ts";

Deno.test("security settings come from the file and the environment; the defaults are loopback-friendly", () => {
  assert.deepEqual(
    { auth: defaultConfig().security.auth, metrics: defaultConfig().security.metrics },
    { auth: "auto", metrics: "protected" },
  );
  const config = loadConfig({
    file: {
      path: "caxton.json",
      values: {
        security: {
          roles: [{ name: "team-a", grants: [{ action: "agents.*", targets: ["team-a.*"] }] }],
          rateLimits: { viewer: { perKey: { burst: 10, perSecond: 2 } } },
          breaker: { failureThreshold: 3 },
        },
      },
    },
    env: {
      CAXTON_AUTH: "required",
      CAXTON_JWKS_URL: "https://idp.example/jwks.json",
      CAXTON_JWT_ISSUER: "https://idp.example",
      CAXTON_JWT_AUDIENCE: "caxton",
      CAXTON_AUDIT_RETENTION_DAYS: "90",
    },
  });
  const s = config.security;
  assert.equal(s.auth, "required");
  assert.equal(s.roles[0]!.name, "team-a");
  assert.deepEqual(s.rateLimits.viewer, { perKey: { burst: 10, perSecond: 2 } });
  assert.deepEqual(s.breaker, { failureThreshold: 3, coolDownMs: 30_000 });
  assert.equal(s.auditRetentionDays, 90);
  assert.equal(s.jwt?.jwksUrl, "https://idp.example/jwks.json");
  assert.deepEqual(s.jwt?.algorithms, ["RS256", "ES256", "EdDSA"]);
});

Deno.test("bad security settings name the field and the source", () => {
  const bad = (security: unknown, pattern: RegExp) =>
    assert.throws(
      () => loadConfig({ file: { path: "c.json", values: { security } } }),
      (e: Error) =>
        e instanceof ConfigError && pattern.test(e.message) && /c\.json/.test(e.message),
    );
  bad({ auth: "off" }, /security.auth="off": use "auto" or "required"/);
  bad(
    { jwt: { jwksUrl: "https://x/j", issuer: "i", audience: "a", algorithms: ["none"] } },
    /asymmetric/,
  );
  bad({ jwt: { issuer: "i", audience: "a" } }, /exactly one of jwksUrl and jwksFile/);
  bad({ rateLimits: { viewer: { perKey: { burst: 0, perSecond: 1 } } } }, /burst/);
  bad({ roles: [{ name: "Bad Name", grants: [] }] }, /security.roles\[0\]/);
  bad({ nope: 1 }, /security.nope is unknown/);
});

Deno.test("a custom role naming no action stops the node from starting", () => {
  using store = openStore(":memory:");
  const config = {
    ...defaultConfig(),
    dataDir: ":memory:",
    security: {
      ...defaultConfig().security,
      roles: [{ name: "typo", grants: [{ action: "agent.read" }] }],
    },
  };
  assert.throws(
    () => createSecurity(config, store),
    (e: Error) => e instanceof ConfigError && /"agent.read" names no action/.test(e.message),
  );
});
