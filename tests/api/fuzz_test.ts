/**
 * A short, seeded fuzz run over every route of the OpenAPI document (a longer
 * one: `deno task fuzz -- --seconds 300 --seed 42`). Replay a failure with
 * CAXTON_FUZZ_SEED=<seed printed in the failure>.
 */
import assert from "node:assert/strict";
import { startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";
import { fuzzApi } from "../_support/fuzz/fuzz.ts";
import { fuzzSeed } from "../_support/fuzz/seed.ts";
import { KNOWN, replenish } from "../_support/fuzz/setup.ts";

Deno.test("fuzzed requests on every route: no 500, no undeclared 5xx, every error problem+json, the node still ready", async () => {
  await using n = await startApiNode();
  await replenish(n.api);
  const seed = fuzzSeed();
  const report = await fuzzApi(n.url, KNOWN, {
    seed,
    ms: 10_000,
    replenish: () => replenish(n.api),
  })
    .catch((error) => {
      const cause = (error as Error).cause as Error | undefined;
      throw new Error(
        `API fuzz failed with seed ${seed}: ${(error as Error).message}\n${cause?.message ?? ""}`,
      );
    });
  assert.ok(report.runs > 50, `only ${report.runs} requests were sent`);
  const ready = await call(`${n.url}/ready`);
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.equal((await call(`${n.url}/health`)).status, 200);
});
