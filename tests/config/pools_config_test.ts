/** The `pools` setting (docs/POOLS.md) from the file and the environment, with errors that name it. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";

Deno.test("pools settings come from the file, then the environment", () => {
  assert.deepEqual(loadConfig().pools, { growDepth: 8, growAfterMs: 1_000, shrinkAfterMs: 10_000 });
  const config = loadConfig({
    file: { path: "caxton.json", values: { pools: { growDepth: 2, shrinkAfterMs: 500 } } },
    env: { CAXTON_POOL_GROW_AFTER_MS: "250", CAXTON_POOL_SHRINK_AFTER_MS: "700" },
  });
  assert.deepEqual(config.pools, { growDepth: 2, growAfterMs: 250, shrinkAfterMs: 700 });
});

Deno.test("a bad pools setting is refused naming the field and its source", () => {
  assert.throws(
    () => loadConfig({ env: { CAXTON_POOL_GROW_DEPTH: "0" } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /pools\.growDepth="0": expected an integer from 1 to 100000 \(from the environment\)/
        .test(error.message),
  );
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { pools: { min: 1 } } } }),
    /pools\.min is unknown; known fields are growDepth, growAfterMs, shrinkAfterMs/,
  );
});
