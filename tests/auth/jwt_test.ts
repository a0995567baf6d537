import assert from "node:assert/strict";
import { defaultConfig, defaultSecurityConfig, parseSecurityConfig } from "../../src/config/mod.ts";
import { JwtVerifier } from "../../src/auth/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { AUDIENCE, BAD_JWTS, ISSUER, startJwks } from "../_support/jwks.ts";
import { join, tempDataDir } from "../_support/node.ts";

const jwtSecurity = (jwksUrl: string) => ({
  ...defaultConfig().security,
  jwt: {
    jwksUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["RS256"],
    roleClaim: "caxton_role",
    clockSkewSec: 5,
  },
});

Deno.test("a JWT from the JWKS (fetched over HTTP and cached) authenticates with the role in its claim", async () => {
  await using jwks = await startJwks();
  await using n = await startApiNode({ security: jwtSecurity(jwks.url) });
  const token = await jwks.token("ci-bot", "viewer");
  const me = await call(`${n.api}/whoami`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.id, "jwt:ci-bot");
  assert.equal(me.body.role, "viewer");
  assert.equal(me.body.authRequired, true, "a JWKS turns authentication on");
  const denied = await call(`${n.api}/agents/x`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
  assertProblem(denied, 403, "forbidden");
  // A second token is checked against the cached key set.
  const other = await jwks.token("ops", "operator");
  assert.equal(
    (await call(`${n.api}/agents`, { headers: { authorization: `Bearer ${other}` } })).status,
    200,
  );
  assert.equal(jwks.fetches(), 1);
});

Deno.test("bad JWTs are refused 401: wrong issuer or audience, expired, not yet valid, alg none, tampered, unknown kid, HS/RS confusion", async () => {
  await using jwks = await startJwks();
  await using n = await startApiNode({ security: jwtSecurity(jwks.url) });
  for (const kind of BAD_JWTS) {
    const res = await call(`${n.api}/agents`, {
      headers: { authorization: `Bearer ${await jwks.bad(kind)}` },
    });
    assertProblem(res, 401, "unauthorized");
    assert.ok(
      ["invalid_token", "expired"].includes(res.body.failure),
      `${kind}: ${res.body.failure}`,
    );
  }
});

Deno.test("a JWKS file works as the URL does; HS algorithms cannot be configured", async () => {
  await using jwks = await startJwks();
  using dir = tempDataDir();
  const file = join(dir.path, "jwks.json");
  Deno.writeTextFileSync(file, await (await fetch(jwks.url)).text());
  const verifier = new JwtVerifier({
    ...jwtSecurity(jwks.url).jwt,
    jwksUrl: undefined,
    jwksFile: file,
  });
  const ok = await verifier.verify(await jwks.token("a", "developer"));
  assert.ok("role" in ok && ok.role === "developer");
  const bad = await verifier.verify(await jwks.bad("hs_confusion"));
  assert.ok("failure" in bad);
  for (const algorithms of [["HS256"], ["none"]]) {
    assert.throws(
      () =>
        parseSecurityConfig(
          { jwt: { jwksFile: file, issuer: ISSUER, audience: AUDIENCE, algorithms } },
          defaultSecurityConfig(),
        ),
      /asymmetric algorithms only/,
    );
  }
});
