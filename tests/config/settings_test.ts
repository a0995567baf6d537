/**
 * Settings are checked by one zod schema (src/config/settings.ts): a bad
 * value, from the file or the environment, is one line naming the key, the
 * variable, the value and what is expected; `caxton serve` refuses to start.
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";
import { runCliWith } from "../_support/process.ts";

/** The message of the ConfigError `load` throws. */
function refusal(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${error}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return error.message;
  }
  assert.fail("the config was accepted");
}

Deno.test("a bad value from the environment names the variable, the key, the value and what is expected", () => {
  assert.equal(
    refusal(() => loadConfig({ env: { CAXTON_WORKERS: "lots" } })),
    'Cannot use workers="lots" from the environment: expected an integer from 1 to 256 (set by CAXTON_WORKERS)',
  );
  assert.match(
    refusal(() => loadConfig({ env: { CAXTON_TRACE_SAMPLE_RATIO: "2" } })),
    /traceSampleRatio="2" from the environment: expected a number from 0 to 1 .*CAXTON_TRACE_SAMPLE_RATIO/,
  );
  assert.match(
    refusal(() => loadConfig({ env: { CAXTON_LOG_LEVEL: "loud" } })),
    /logLevel="loud" .*use one of trace, debug, info, warn, error \(set by CAXTON_LOG_LEVEL\)/,
  );
  assert.match(
    refusal(() => loadConfig({ env: { CAXTON_CLUSTER: "http://x:1" } })),
    /cluster.*not a NATS URL.*set by CAXTON_CLUSTER/,
  );
});

Deno.test("a bad value from the file names the key, the value, the file and what is expected", () => {
  const file = (values: Record<string, unknown>) => ({ file: { path: "caxton.json", values } });
  assert.equal(
    refusal(() => loadConfig(file({ port: 70_000 }))),
    'Cannot use port=70000 from config file "caxton.json": expected an integer from 0 to 65535',
  );
  assert.match(
    refusal(() => loadConfig(file({ corsOrigins: [1] }))),
    /corsOrigins=\[1\] from config file "caxton.json": expected a list of origins/,
  );
  assert.match(
    refusal(() => loadConfig(file({ tracing: "sometimes" }))),
    /tracing="sometimes" from config file "caxton.json": use true or false/,
  );
  // The entry at fault is named, not the whole list.
  assert.match(
    refusal(() => loadConfig(file({ webhookAllowlist: ["10.0.0.0/8", "not a host"] }))),
    /webhookAllowlist from config file "caxton.json": "not a host" is neither/,
  );
});

Deno.test("a refused API token is not repeated in the message", () => {
  const message = refusal(() => loadConfig({ env: { CAXTON_API_TOKEN: "short" } }));
  assert.match(message, /apiToken from the environment: expected a string of at least 8/);
  assert.ok(!message.includes("short"), message);
});

Deno.test("caxton serve with a bad setting exits non-zero with one line and starts nothing", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-badconf-" });
  try {
    const { code, stderr } = await runCliWith(
      { env: { CAXTON_PORT: "eighty", CAXTON_DATA_DIR: `${dataDir}/node`, NO_COLOR: "1" } },
      "serve",
    );
    assert.notEqual(code, 0);
    const lines = stderr.trim().split("\n").filter((l) => l.startsWith("caxton:"));
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0]!,
      /port="eighty" from the environment: expected an integer .*CAXTON_PORT/,
    );
    assert.throws(() => Deno.statSync(`${dataDir}/node`), Deno.errors.NotFound);
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});
