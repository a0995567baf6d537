/**
 * Security benchmarks (issue 17), part of `deno task bench api`:
 *
 * - auth_overhead_p50_us (api_key, jwt): the access middleware (route table,
 *   credential check, role check) on GET /api/v1/agents/:name, minus the same
 *   in-process Hono request without it. The JWT is one the node has verified
 *   before (a client reusing its token): a map lookup; jwt_first_verify_us is
 *   a token seen for the first time (RS256 signature check by jose).
 * - audit_append_us: one audit entry (hash chained, SHA-256) appended to a
 *   real SQLite file in WAL mode, group-committed (batches of 50, flush
 *   included in the time).
 *
 * Each sample is the mean of a batch of 200 requests; figures are medians of
 * the samples, with and without auth interleaved so noise hits both.
 */
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { join } from "node:path";
import type { Metric } from "./_report.ts";
import { median } from "./_report.ts";
import { accessControl } from "../src/api/access.ts";
import { createSecurity } from "../src/auth/mod.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { openStore } from "../src/store/mod.ts";

const BATCH = 200;
const SAMPLES = Number(Deno.env.get("BENCH_AUTH_SAMPLES") ?? 300);

function app(withAuth: ReturnType<typeof createSecurity> | null): Hono {
  const a = new Hono();
  if (withAuth) a.use("*", accessControl(a, withAuth));
  a.get("/api/v1/agents/:name", (c) => c.text("ok"));
  return a;
}

/** Mean µs per request of a batch. */
async function batch(a: Hono, init: RequestInit): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < BATCH; i++) {
    const res = await a.request("/api/v1/agents/team-a.echo", init);
    if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
  }
  return ((performance.now() - start) * 1000) / BATCH;
}

/** Median µs of the bare app, then of the middleware over it per credential, samples interleaved. */
async function overheads(bare: Hono, guarded: Hono, inits: RequestInit[]): Promise<number[]> {
  const without: number[] = [];
  const withAuth: number[][] = inits.map(() => []);
  for (let i = 0; i < 30; i++) for (const init of inits) await batch(guarded, init); // warm up
  for (let i = 0; i < SAMPLES; i++) {
    without.push(await batch(bare, {}));
    for (let k = 0; k < inits.length; k++) withAuth[k]!.push(await batch(guarded, inits[k]!));
  }
  return [median(without), ...withAuth.map((samples) => median(samples) - median(without))];
}

export async function authMetrics(): Promise<Metric[]> {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-bench-auth-" });
  try {
    using store = openStore(join(dir, "caxton.db"));
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] };
    const jwksFile = join(dir, "jwks.json");
    Deno.writeTextFileSync(jwksFile, JSON.stringify(jwks));
    const jwt = {
      jwksFile,
      issuer: "https://issuer.bench",
      audience: "caxton",
      algorithms: ["RS256"],
      roleClaim: "caxton_role",
      clockSkewSec: 30,
    };
    const config = {
      ...defaultConfig(),
      dataDir: dir,
      security: { ...defaultConfig().security, auth: "required" as const, jwt },
    };
    const security = createSecurity(config, store);
    const key = security.keys.create({ role: "viewer" }).key;
    const sign = (sub: string) =>
      new SignJWT({ sub, caxton_role: "viewer" }).setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(jwt.issuer).setAudience(jwt.audience).setExpirationTime("1h").sign(privateKey);
    const token = await sign("bench");
    const bare = app(null);
    const guarded = app(security);
    const [bareUs, keyUs, jwtUs] = await overheads(bare, guarded, [
      { headers: { authorization: `Bearer ${key}` } },
      { headers: { authorization: `Bearer ${token}` } },
    ]) as [number, number, number];

    // First sight of a token: a real signature check each time.
    const fresh = await Promise.all(Array.from({ length: 300 }, (_, i) => sign(`u${i}`)));
    const firsts: number[] = [];
    for (const t of fresh) {
      const start = performance.now();
      const res = await guarded.request("/api/v1/agents/x", {
        headers: { authorization: `Bearer ${t}` },
      });
      firsts.push((performance.now() - start) * 1000);
      if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
    }

    // Audit appends into the real file, one transaction each.
    const appends: number[] = [];
    const event = {
      actor: "cxk_0000beef",
      role: "admin",
      action: "agents.deploy",
      target: "echo",
      source: "127.0.0.1",
      outcome: "ok" as const,
      status: 201,
      detail: "PUT /api/v1/agents/echo",
    };
    for (let i = 0; i < 50; i++) store.audit.append(event);
    for (let s = 0; s < SAMPLES; s++) {
      const start = performance.now();
      for (let i = 0; i < 50; i++) store.audit.append(event);
      // The group commit's write is part of the cost: flushed inside the timed section.
      store.audit.flush();
      appends.push(((performance.now() - start) * 1000) / 50);
    }
    if (!store.audit.verify().ok) throw new Error("the benchmark's audit chain does not verify");
    return [
      {
        metric: "auth_overhead_p50_us_api_key",
        value: Number(keyUs.toFixed(2)),
        unit: "µs",
        goal: "<= 20",
        note: `over no auth (${bareUs.toFixed(1)} µs/request in-process)`,
      },
      {
        metric: "auth_overhead_p50_us_jwt",
        value: Number(jwtUs.toFixed(2)),
        unit: "µs",
        goal: "<= 20",
        note: "a token verified before (cached until exp)",
      },
      {
        metric: "jwt_first_verify_us",
        value: Number(median(firsts).toFixed(1)),
        unit: "µs",
        note: "p50 of the first request with a new RS256 token (signature check)",
      },
      {
        metric: "audit_append_us",
        value: Number(median(appends).toFixed(2)),
        unit: "µs",
        goal: "<= 20",
        note: "p50 of batch means: hash-chained, group-committed into a SQLite file (WAL)",
      },
    ];
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
