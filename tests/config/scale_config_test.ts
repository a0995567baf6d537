/** The `scale` setting (issue 21) from the file and the environment, with errors that name it. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";

Deno.test("scale settings come from the file, then the environment", () => {
  const config = loadConfig({
    file: { path: "caxton.json", values: { scale: { passivateAfterMs: 5_000, metricsTopN: 3 } } },
    env: {
      CAXTON_PASSIVATE_AFTER_MS: "250",
      CAXTON_METRICS_AGENTS: "a, b",
      CAXTON_MAX_LIVE_INSTANCES: "20",
    },
  });
  assert.deepEqual(config.scale, {
    passivateAfterMs: 250,
    metricsAgents: ["a", "b"],
    metricsTopN: 3,
    maxLiveInstances: 20,
  });
  assert.deepEqual(loadConfig().scale, {
    passivateAfterMs: 60_000,
    metricsAgents: [],
    metricsTopN: 10,
    maxLiveInstances: 0,
  });
});

Deno.test("a bad scale setting is refused naming the field and its source", () => {
  assert.throws(
    () => loadConfig({ env: { CAXTON_PASSIVATE_AFTER_MS: "soon" } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /scale\.passivateAfterMs="soon": expected an integer .* \(from the environment\)/.test(
        error.message,
      ),
  );
  assert.throws(
    () => loadConfig({ env: { CAXTON_MAX_LIVE_INSTANCES: "-1" } }),
    /scale\.maxLiveInstances="-1": expected an integer from 0/,
  );
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { scale: { passivate: 1 } } } }),
    /scale\.passivate is unknown; known fields are passivateAfterMs, metricsAgents, metricsTopN/,
  );
});
