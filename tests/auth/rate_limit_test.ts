import assert from "node:assert/strict";
import { compileRoles, KeyRing } from "../../src/auth/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { join, tempDataDir, until } from "../_support/node.ts";

function keys(dataDir: string, n: number): string[] {
  using store = openStore(join(dataDir, "caxton.db"));
  const roles = compileRoles();
  const ring = new KeyRing(store.apiKeys, (r) => roles.has(r));
  return Array.from({ length: n }, () => ring.create({ role: "viewer" }).key);
}

Deno.test("a key over its rate limit gets 429 with Retry-After and RateLimit headers, then recovers", async () => {
  using dir = tempDataDir();
  const [key] = keys(dir.path, 1);
  await using n = await startApiNode({
    dataDir: dir.path,
    security: {
      ...defaultConfig().security,
      auth: "required",
      rateLimits: { viewer: { perKey: { burst: 3, perSecond: 4 } } },
    },
  });
  const get = () => call(`${n.api}/agents`, { headers: { authorization: `Bearer ${key}` } });
  for (let i = 0; i < 3; i++) {
    const ok = await get();
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("ratelimit-policy"), '"key";q=3;w=1');
    assert.match(ok.headers.get("ratelimit")!, new RegExp(`^"key";r=${2 - i};t=\\d+$`));
  }
  const refused = await get();
  assertProblem(refused, 429, "rate_limited");
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.equal(refused.headers.get("ratelimit-policy"), '"key";q=3;w=1');
  assert.match(refused.headers.get("ratelimit")!, /^"key";r=0;t=1$/);
  assert.equal(refused.body.scope, "key");
  // The bucket refills at 4/s: a request succeeds again without anyone resetting it.
  await until(async () => (await get()).status === 200, "the key's bucket to refill", 3_000);
  // Probes are never limited.
  for (let i = 0; i < 5; i++) assert.equal((await call(`${n.url}/health`)).status, 200);
});

Deno.test("a target agent's limit is shared by every caller", async () => {
  using dir = tempDataDir();
  const [a, b] = keys(dir.path, 2);
  await using n = await startApiNode({
    dataDir: dir.path,
    security: {
      ...defaultConfig().security,
      auth: "required",
      rateLimits: { "*": { perAgent: { burst: 2, perSecond: 1 } } },
    },
  });
  const get = (key: string, agent: string) =>
    call(`${n.api}/agents/${agent}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal((await get(a!, "hot")).status, 404);
  assert.equal((await get(b!, "hot")).status, 404);
  const refused = await get(a!, "hot");
  assertProblem(refused, 429, "rate_limited");
  assert.equal(refused.body.scope, "agent");
  assert.ok(Number(refused.headers.get("retry-after")) >= 1);
  assert.equal((await get(b!, "cold")).status, 404, "another agent has its own bucket");
  // Unlisted routes without a target are not limited per agent.
  assert.equal(
    (await call(`${n.api}/agents`, { headers: { authorization: `Bearer ${a}` } })).status,
    200,
  );
});
