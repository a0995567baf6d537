/** The `scheduling` setting (issue 13 item 5) from the file and the environment, with errors that name it. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";

Deno.test("scheduling settings come from the file, then the environment", () => {
  assert.deepEqual(loadConfig().scheduling, { agentWorkerNice: 0, eventLoopMaxLagMs: 50 });
  const config = loadConfig({
    file: {
      path: "caxton.json",
      values: { scheduling: { agentWorkerNice: 5, eventLoopMaxLagMs: 200 } },
    },
    env: { CAXTON_EVENT_LOOP_MAX_LAG_MS: "0" },
  });
  assert.deepEqual(config.scheduling, { agentWorkerNice: 5, eventLoopMaxLagMs: 0 });
  assert.equal(
    loadConfig({ env: { CAXTON_AGENT_WORKER_NICE: "10" } }).scheduling.agentWorkerNice,
    10,
  );
});

Deno.test("a bad scheduling setting is refused naming the field and its source", () => {
  assert.throws(
    () => loadConfig({ env: { CAXTON_AGENT_WORKER_NICE: "20" } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /scheduling\.agentWorkerNice="20": expected an integer from 0 to 19 \(from the environment\)/
        .test(error.message),
  );
  assert.throws(
    () => loadConfig({ env: { CAXTON_EVENT_LOOP_MAX_LAG_MS: "-1" } }),
    /scheduling\.eventLoopMaxLagMs="-1": expected an integer from 0 to 60000/,
  );
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { scheduling: { nice: 1 } } } }),
    /scheduling\.nice is unknown; known fields are agentWorkerNice, eventLoopMaxLagMs/,
  );
});
