import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";

Deno.test("flags override the environment, which overrides the file", () => {
  const config = loadConfig({
    file: { path: "caxton.json", values: { port: 1, workers: 3, limits: { memoryPages: 16 } } },
    env: { CAXTON_PORT: "2", CAXTON_LOG_LEVEL: "warn" },
    flags: { port: "3" },
  });
  assert.equal(config.port, 3);
  assert.equal(config.workers, 3);
  assert.equal(config.logLevel, "warn");
  assert.equal(config.limits.memoryPages, 16);
  assert.equal(config.host, "127.0.0.1");
});

Deno.test("a bad setting names itself and its source", () => {
  assert.throws(
    () => loadConfig({ env: { CAXTON_PORT: "eighty" } }),
    (e: unknown) =>
      e instanceof ConfigError && /port="eighty" from the environment/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { prot: 1 } } }),
    /"prot" from config file "c.json": unknown/,
  );
  assert.throws(() => loadConfig({ flags: { logLevel: "loud" } }), /logLevel="loud"/);
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { limits: { fuelPerMessage: -1 } } } }),
    /fuelPerMessage/,
  );
});

Deno.test("by default a node listens on loopback with one agent worker per core", () => {
  const config = loadConfig();
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 8080);
  assert.equal(config.workers, navigator.hardwareConcurrency);
  assert.equal(config.dataDir, ".caxton");
});

Deno.test("the message log is durable by default and can be turned off", () => {
  assert.equal(loadConfig().messageLog, "log");
  assert.equal(loadConfig({ env: { CAXTON_MESSAGE_LOG: "none" } }).messageLog, "none");
  assert.throws(
    () => loadConfig({ env: { CAXTON_MESSAGE_LOG: "maybe" } }),
    /messageLog="maybe" from the environment: use "log" \(durable\) or "none"/,
  );
});

Deno.test("tracing follows OTEL_DENO unless CAXTON_TRACING says otherwise; the sample ratio comes from flags > env > file", () => {
  assert.equal(loadConfig().tracing, false);
  assert.equal(loadConfig().traceSampleRatio, 0.01);
  assert.equal(loadConfig({ env: { OTEL_DENO: "true" } }).tracing, true);
  assert.equal(loadConfig({ env: { OTEL_DENO: "true", CAXTON_TRACING: "false" } }).tracing, false);
  const config = loadConfig({
    file: { path: "caxton.json", values: { traceSampleRatio: 0.5 } },
    env: { CAXTON_TRACE_SAMPLE_RATIO: "0.25" },
    flags: { traceSampleRatio: "1" },
  });
  assert.equal(config.traceSampleRatio, 1);
  assert.equal(
    loadConfig({
      file: { path: "caxton.json", values: { traceSampleRatio: 0.5 } },
      env: { CAXTON_TRACE_SAMPLE_RATIO: "0.25" },
    }).traceSampleRatio,
    0.25,
  );
  assert.throws(
    () => loadConfig({ env: { CAXTON_TRACE_SAMPLE_RATIO: "2" } }),
    (e) => e instanceof ConfigError && /traceSampleRatio="2" from the environment/.test(e.message),
  );
});

Deno.test("send quotas are off by default; quota and saturation settings come from file, env and flags", () => {
  const defaults = loadConfig();
  assert.equal(defaults.sendQuota, 0);
  assert.equal(defaults.saturationBacklog, 1_000);
  const config = loadConfig({
    file: { path: "c.json", values: { sendQuota: 100, saturationMs: 500 } },
    env: { CAXTON_SEND_QUOTA_INTERVAL_MS: "250", CAXTON_SATURATION_BACKLOG: "64" },
    flags: { sendQuota: "200" },
  });
  assert.equal(config.sendQuota, 200);
  assert.equal(config.sendQuotaIntervalMs, 250);
  assert.equal(config.saturationBacklog, 64);
  assert.equal(config.saturationMs, 500);
  assert.throws(
    () => loadConfig({ env: { CAXTON_SEND_QUOTA_INTERVAL_MS: "0" } }),
    /sendQuotaIntervalMs="0" from the environment: expected an integer from 1/,
  );
});

Deno.test("webhooks reach only public addresses unless the webhook settings allow more", () => {
  const defaults = loadConfig();
  assert.equal(defaults.webhookAllowPrivate, false);
  assert.deepEqual(defaults.webhookAllowlist, []);
  const fromEnv = loadConfig({
    env: {
      CAXTON_WEBHOOK_ALLOW_PRIVATE: "true",
      CAXTON_WEBHOOK_ALLOWLIST: "10.1.0.0/16, hooks.internal ,fd00::1",
    },
  });
  assert.equal(fromEnv.webhookAllowPrivate, true);
  assert.deepEqual(fromEnv.webhookAllowlist, ["10.1.0.0/16", "hooks.internal", "fd00::1"]);
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { webhookAllowlist: ["10.0.0.0/40"] } } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /webhookAllowlist from config file "c.json".*not a CIDR/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ env: { CAXTON_WEBHOOK_ALLOW_PRIVATE: "yes" } }),
    /webhookAllowPrivate="yes" from the environment/,
  );
});

// Cluster (docs/CLUSTER.md).
Deno.test("standalone by default; --cluster, CAXTON_CLUSTER and the file's cluster object merge, flags winning", () => {
  assert.equal(loadConfig().cluster, null);
  const config = loadConfig({
    file: {
      path: "caxton.json",
      values: {
        cluster: {
          servers: ["nats://10.0.0.1:4222"],
          user: "caxton",
          pass: "secret",
          tls: { ca: "ca.pem", cert: "node.pem", key: "node.key" },
          unreachableMs: 500,
        },
      },
    },
    env: { CAXTON_CLUSTER: "nats://10.0.0.2:4222,nats://10.0.0.3:4222", CAXTON_NODE_NAME: "env" },
    flags: { nodeName: "flag-name" },
  });
  assert.deepEqual(config.cluster, {
    servers: ["nats://10.0.0.2:4222", "nats://10.0.0.3:4222"],
    name: "flag-name",
    user: "caxton",
    pass: "secret",
    tls: { ca: "ca.pem", cert: "node.pem", key: "node.key" },
    unreachableMs: 500,
  });
  const replicated = loadConfig({
    file: { path: "c.json", values: { cluster: { servers: "nats://a:1", replicas: 3 } } },
  });
  assert.equal(replicated.cluster?.replicas, 3);
  assert.throws(
    () =>
      loadConfig({
        file: { path: "c.json", values: { cluster: { servers: "nats://a:1", replicas: 7 } } },
      }),
    (e: Error) =>
      e instanceof ConfigError && /cluster\.replicas=7: expected 1 to 5/.test(e.message),
  );
  assert.deepEqual(loadConfig({ flags: { cluster: "tls://nats.example:4222" } }).cluster, {
    servers: ["tls://nats.example:4222"],
    unreachableMs: 3_000,
  });
});

Deno.test("a bad cluster setting names the field; a node name without servers is refused", () => {
  assert.throws(
    () => loadConfig({ flags: { cluster: "http://x:1" } }),
    (e: Error) => e instanceof ConfigError && /"http:\/\/x:1" is not a NATS URL/.test(e.message),
  );
  assert.throws(
    () =>
      loadConfig({
        file: {
          path: "c.json",
          values: { cluster: { servers: "nats://a:1", tls: { ca: "ca.pem", cert: "x.pem" } } },
        },
      }),
    (e: Error) =>
      e instanceof ConfigError && /cluster\.tls\.key/.test(e.message) && /c\.json/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ env: { CAXTON_NODE_NAME: "lonely" } }),
    (e: Error) => e instanceof ConfigError && /--cluster nats:\/\/host:port/.test(e.message),
  );
  assert.throws(
    () =>
      loadConfig({
        file: { path: "c.json", values: { cluster: { servers: "nats://a:1", nope: 1 } } },
      }),
    (e: Error) => e instanceof ConfigError && /cluster\.nope is unknown/.test(e.message),
  );
});

Deno.test("the receiver cap and message log retention are on by default and set from env or file", () => {
  const defaults = loadConfig();
  assert.equal(defaults.maxReceivers, 64);
  assert.equal(defaults.messageLogMaxAgeMs, 7 * 86_400_000);
  assert.equal(defaults.messageLogMaxBytes, 1024 ** 3);
  assert.equal(defaults.messageLogPruneIntervalMs, 60_000);
  const config = loadConfig({
    file: { path: "c.json", values: { maxReceivers: 8, messageLogMaxBytes: 0 } },
    env: {
      CAXTON_MAX_RECEIVERS: "16",
      CAXTON_MESSAGE_LOG_MAX_AGE_MS: "3600000",
      CAXTON_MESSAGE_LOG_PRUNE_INTERVAL_MS: "1000",
    },
  });
  assert.equal(config.maxReceivers, 16);
  assert.equal(config.messageLogMaxAgeMs, 3_600_000);
  assert.equal(config.messageLogMaxBytes, 0, "0 turns the size cap off");
  assert.equal(config.messageLogPruneIntervalMs, 1_000);
  assert.throws(
    () => loadConfig({ env: { CAXTON_MAX_RECEIVERS: "0" } }),
    /maxReceivers="0" from the environment: expected an integer from 1 to 100000/,
  );
  assert.throws(
    () => loadConfig({ flags: { messageLogMaxBytes: -1 } }),
    /messageLogMaxBytes=-1/,
  );
});
