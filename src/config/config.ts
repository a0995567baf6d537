/**
 * One typed configuration from, in rising priority: defaults, a JSON file,
 * environment variables, command-line flags. Validated once, with errors that
 * name the setting and its source.
 */
import { join } from "node:path";
import { type ClusterConfig, parseClusterConfig } from "./cluster_config.ts";
import { defaultMcpConfig, type McpConfig, parseMcpConfig } from "./mcp_config.ts";
import {
  defaultScaleConfig,
  parseScaleConfig,
  type ScaleConfig,
  scaleFromEnv,
} from "./scale_config.ts";
import { type AgentLimits, DEFAULT_LIMITS, resolveLimits } from "../runtime/mod.ts";
import { parseAllowlist } from "../outside/mod.ts";
import { LOG_LEVELS, type LogLevel } from "../telemetry/mod.ts";

/** Everything a node needs to start. */
export interface CaxtonConfig {
  /** Where the SQLite file lives; `:memory:` keeps nothing (tests). */
  dataDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Shared agent workers. */
  workers: number;
  /** A busy worker silent this long is replaced. */
  watchdogMs: number;
  mailboxCapacity: number;
  logLevel: LogLevel;
  /** `log`: every accepted delivery is written to the store and redelivered after a crash; `none`: memory only. */
  messageLog: "none" | "log";
  /** Default limits for every agent; deployments may override. */
  limits: AgentLimits;
  /** Origins allowed by CORS on the API (`*` for any); empty turns CORS off. */
  corsOrigins: string[];
  /** Largest request body the API reads, in bytes (module uploads included). */
  maxRequestBytes: number;
  /** When set, `/api/v1` requires `Authorization: Bearer <apiToken>`. */
  apiToken: string | null;
  /**
   * Caxton's spans and per-message metrics. On by default when OTEL_DENO=true
   * (Deno's exporter is running); `CAXTON_TRACING=false` turns them off anyway.
   */
  tracing: boolean;
  /** Ratio of new traces sampled, 0..1; a trace with a parent keeps the parent's decision. */
  traceSampleRatio: number;
  /** MCP servers whose tools agents may call, and limits on those calls (docs/MCP.md). */
  mcp: McpConfig;
  // Fan-out and message log retention (issue 13): bounds on what one message and the log cost.
  /**
   * Distinct receivers one message may name (a name given twice counts once);
   * more is refused: 413 on the API, `failure` to a sending agent.
   */
  maxReceivers: number;
  /** Finished deliveries older than this are pruned from the message log; 0 keeps them. */
  messageLogMaxAgeMs: number;
  /** The log's estimated size kept under this by pruning the oldest finished deliveries; 0: no cap. */
  messageLogMaxBytes: number;
  /** How often retention runs (off the message path, in small transactions). */
  messageLogPruneIntervalMs: number;
  // --- Fairness between agents (issue 13 item 5) ---
  /** Sends each agent may make per `sendQuotaIntervalMs`; over it `send` returns -2. 0: no quota. */
  sendQuota: number;
  sendQuotaIntervalMs: number;
  /** `/ready` says `degraded` while a worker's pending deliveries stay above this… */
  saturationBacklog: number;
  /** …for at least this long. */
  saturationMs: number;
  // Webhook address policy (issue 13): internal addresses are refused unless allowed here.
  /** Let webhooks reach any address, loopback and private networks included. */
  webhookAllowPrivate: boolean;
  /** CIDRs, addresses or host names webhooks may reach although internal. */
  webhookAllowlist: string[];
  /** Cluster: the NATS servers to join and this node's name (docs/CLUSTER.md); null = standalone. */
  cluster: ClusterConfig | null;
  /** Activation on demand and bounded metrics (issue 21, docs/ARCHITECTURE.md). */
  scale: ScaleConfig;
}

/** Raised for a setting that cannot be used. */
export class ConfigError extends Error {
  readonly code = "invalid_config";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The SQLite file of a config. */
export function databasePath(config: Pick<CaxtonConfig, "dataDir">): string {
  return config.dataDir === ":memory:" ? ":memory:" : join(config.dataDir, "caxton.db");
}

/** Defaults: loopback, a data dir in the working directory, one worker per core. */
export function defaultConfig(): CaxtonConfig {
  return {
    dataDir: ".caxton",
    host: "127.0.0.1",
    port: 8080,
    workers: navigator.hardwareConcurrency || 1,
    watchdogMs: 10_000,
    mailboxCapacity: 10_000,
    logLevel: "info",
    messageLog: "log",
    limits: { ...DEFAULT_LIMITS },
    corsOrigins: [],
    maxRequestBytes: 16 * 1024 * 1024,
    apiToken: null,
    tracing: false,
    traceSampleRatio: 0.01,
    mcp: defaultMcpConfig(),
    // Fan-out and retention (issue 13).
    maxReceivers: 64,
    messageLogMaxAgeMs: 7 * 24 * 3_600_000,
    messageLogMaxBytes: 1024 ** 3,
    messageLogPruneIntervalMs: 60_000,
    sendQuota: 0,
    sendQuotaIntervalMs: 1_000,
    saturationBacklog: 1_000,
    saturationMs: 1_000,
    webhookAllowPrivate: false,
    webhookAllowlist: [],
    cluster: null,
    scale: defaultScaleConfig(),
  };
}

const _ENV: Record<string, keyof CaxtonConfig> = {
  CAXTON_DATA_DIR: "dataDir",
  CAXTON_HOST: "host",
  CAXTON_PORT: "port",
  CAXTON_WORKERS: "workers",
  CAXTON_WATCHDOG_MS: "watchdogMs",
  CAXTON_MAILBOX_CAPACITY: "mailboxCapacity",
  CAXTON_LOG_LEVEL: "logLevel",
  CAXTON_MESSAGE_LOG: "messageLog",
  CAXTON_CORS_ORIGINS: "corsOrigins",
  CAXTON_MAX_REQUEST_BYTES: "maxRequestBytes",
  CAXTON_API_TOKEN: "apiToken",
  CAXTON_TRACING: "tracing",
  CAXTON_TRACE_SAMPLE_RATIO: "traceSampleRatio",
  // Fan-out and retention (issue 13).
  CAXTON_MAX_RECEIVERS: "maxReceivers",
  CAXTON_MESSAGE_LOG_MAX_AGE_MS: "messageLogMaxAgeMs",
  CAXTON_MESSAGE_LOG_MAX_BYTES: "messageLogMaxBytes",
  CAXTON_MESSAGE_LOG_PRUNE_INTERVAL_MS: "messageLogPruneIntervalMs",
  CAXTON_SEND_QUOTA: "sendQuota",
  CAXTON_SEND_QUOTA_INTERVAL_MS: "sendQuotaIntervalMs",
  CAXTON_SATURATION_BACKLOG: "saturationBacklog",
  CAXTON_SATURATION_MS: "saturationMs",
  CAXTON_WEBHOOK_ALLOW_PRIVATE: "webhookAllowPrivate",
  CAXTON_WEBHOOK_ALLOWLIST: "webhookAllowlist",
  CAXTON_CLUSTER: "cluster",
};
/** Cluster: `CAXTON_NODE_NAME` / `--node-name` set `cluster.name`. */
const _NODE_NAME_ENV = "CAXTON_NODE_NAME";

function _integer(value: unknown, key: string, source: string, min: number, max: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `Cannot use ${key}=${
        JSON.stringify(value)
      } from ${source}: expected an integer from ${min} to ${max}`,
    );
  }
  return n;
}

function _apply(config: CaxtonConfig, values: Record<string, unknown>, source: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    switch (key) {
      case "dataDir":
      case "host":
        if (typeof value !== "string" || value === "") {
          throw new ConfigError(
            `Cannot use ${key}=${
              JSON.stringify(value)
            } from ${source}: expected a non-empty string`,
          );
        }
        config[key] = value;
        break;
      case "port":
        config.port = _integer(value, key, source, 0, 65_535);
        break;
      case "workers":
        config.workers = _integer(value, key, source, 1, 256);
        break;
      case "watchdogMs":
        config.watchdogMs = _integer(value, key, source, 100, 3_600_000);
        break;
      case "mailboxCapacity":
        config.mailboxCapacity = _integer(value, key, source, 1, 10_000_000);
        break;
      case "logLevel":
        if (!(LOG_LEVELS as readonly unknown[]).includes(value)) {
          throw new ConfigError(
            `Cannot use logLevel=${JSON.stringify(value)} from ${source}: use one of ${
              LOG_LEVELS.join(", ")
            }`,
          );
        }
        config.logLevel = value as LogLevel;
        break;
      case "messageLog":
        if (value !== "none" && value !== "log") {
          throw new ConfigError(
            `Cannot use messageLog=${
              JSON.stringify(value)
            } from ${source}: use "log" (durable) or "none" (memory only)`,
          );
        }
        config.messageLog = value;
        break;
      case "corsOrigins": {
        const origins = typeof value === "string"
          ? value.split(",").map((o) => o.trim()).filter((o) => o !== "")
          : value;
        if (!Array.isArray(origins) || !origins.every((o) => typeof o === "string")) {
          throw new ConfigError(
            `Cannot use corsOrigins=${
              JSON.stringify(value)
            } from ${source}: expected a list of origins (comma-separated in the environment), or "*"`,
          );
        }
        config.corsOrigins = origins;
        break;
      }
      case "maxRequestBytes":
        config.maxRequestBytes = _integer(value, key, source, 1024, 1024 * 1024 * 1024);
        break;
      case "apiToken":
        if (typeof value !== "string" || value.length < 8) {
          throw new ConfigError(
            `Cannot use apiToken from ${source}: expected a string of at least 8 characters`,
          );
        }
        config.apiToken = value;
        break;
      case "tracing":
        if (value !== true && value !== false && value !== "true" && value !== "false") {
          throw new ConfigError(
            `Cannot use tracing=${JSON.stringify(value)} from ${source}: use true or false`,
          );
        }
        config.tracing = value === true || value === "true";
        break;
      case "traceSampleRatio": {
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (typeof n !== "number" || !(n >= 0 && n <= 1)) {
          throw new ConfigError(
            `Cannot use traceSampleRatio=${
              JSON.stringify(value)
            } from ${source}: expected a number from 0 to 1 (0.01 samples one new trace in 100)`,
          );
        }
        config.traceSampleRatio = n;
        break;
      }
      case "limits":
        try {
          config.limits = resolveLimits(value as Record<string, unknown>, config.limits);
        } catch (error) {
          throw new ConfigError(`${(error as Error).message} (from ${source})`);
        }
        break;
      // Fairness between agents (issue 13 item 5).
      case "sendQuota":
      case "saturationBacklog":
        config[key] = _integer(value, key, source, 0, 1_000_000_000);
        break;
      case "sendQuotaIntervalMs":
      case "saturationMs":
        config[key] = _integer(value, key, source, 1, 3_600_000);
        break;
      case "mcp":
        try {
          config.mcp = parseMcpConfig(value, config.mcp);
        } catch (error) {
          throw new ConfigError(`Cannot use ${(error as Error).message} (from ${source})`);
        }
        break;
      // Fan-out and retention (issue 13).
      case "maxReceivers":
        config.maxReceivers = _integer(value, key, source, 1, 100_000);
        break;
      case "messageLogMaxAgeMs":
        config.messageLogMaxAgeMs = _integer(value, key, source, 0, 100 * 365 * 86_400_000);
        break;
      case "messageLogMaxBytes":
        config.messageLogMaxBytes = _integer(value, key, source, 0, Number.MAX_SAFE_INTEGER);
        break;
      case "messageLogPruneIntervalMs":
        config.messageLogPruneIntervalMs = _integer(value, key, source, 10, 86_400_000);
        break;
      // Webhook address policy (issue 13).
      case "webhookAllowPrivate":
        if (value !== true && value !== false && value !== "true" && value !== "false") {
          throw new ConfigError(
            `Cannot use webhookAllowPrivate=${
              JSON.stringify(value)
            } from ${source}: use true or false`,
          );
        }
        config.webhookAllowPrivate = value === true || value === "true";
        break;
      case "webhookAllowlist": {
        const entries = typeof value === "string"
          ? value.split(",").map((e) => e.trim()).filter((e) => e !== "")
          : value;
        if (!Array.isArray(entries) || !entries.every((e) => typeof e === "string")) {
          throw new ConfigError(
            `Cannot use webhookAllowlist=${
              JSON.stringify(value)
            } from ${source}: expected a list of CIDRs, addresses or host names (comma-separated in the environment)`,
          );
        }
        try {
          parseAllowlist(entries);
        } catch (error) {
          throw new ConfigError(
            `Cannot use webhookAllowlist from ${source}: ${(error as Error).message}`,
          );
        }
        config.webhookAllowlist = entries;
        break;
      }
      // Cluster (docs/CLUSTER.md): servers as text or the whole object; nodeName is cluster.name.
      case "cluster":
      case "nodeName":
        try {
          config.cluster = parseClusterConfig(
            key === "cluster" ? value : { name: value },
            config.cluster,
          );
        } catch (error) {
          throw new ConfigError(`Cannot use ${(error as Error).message} (from ${source})`);
        }
        break;
      case "scale":
        try {
          config.scale = parseScaleConfig(value, config.scale);
        } catch (error) {
          throw new ConfigError(`Cannot use ${(error as Error).message} (from ${source})`);
        }
        break;
      default:
        throw new ConfigError(
          `Cannot use setting "${key}" from ${source}: unknown; known settings are ${
            [...Object.keys(defaultConfig()), "nodeName"].join(", ")
          }`,
        );
    }
  }
}

/** Where the configuration comes from. */
export interface ConfigSources {
  /** Parsed JSON of a config file, with its path for messages. */
  file?: { path: string; values: Record<string, unknown> };
  env?: Record<string, string | undefined>;
  flags?: Partial<Record<keyof CaxtonConfig | "nodeName", unknown>>;
}

/** Builds the configuration from its sources. */
export function loadConfig(sources: ConfigSources = {}): CaxtonConfig {
  const config = defaultConfig();
  if (sources.file) _apply(config, sources.file.values, `config file "${sources.file.path}"`);
  if (sources.env) {
    const fromEnv: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(_ENV)) {
      if (sources.env[name] !== undefined) fromEnv[key] = sources.env[name];
    }
    // Deno's exporter runs: Caxton's spans go with it unless CAXTON_TRACING says no.
    if (sources.env.OTEL_DENO === "true" && fromEnv.tracing === undefined) fromEnv.tracing = true;
    fromEnv.scale = scaleFromEnv(sources.env);
    if (sources.env[_NODE_NAME_ENV] !== undefined) fromEnv.nodeName = sources.env[_NODE_NAME_ENV];
    _apply(config, fromEnv, "the environment");
  }
  if (sources.flags) _apply(config, sources.flags, "the command line");
  if (config.cluster && config.cluster.servers.length === 0) {
    throw new ConfigError(
      "Cannot use a node name or cluster settings without NATS servers: give --cluster nats://host:port (or CAXTON_CLUSTER)",
    );
  }
  return config;
}

/** Reads and parses a JSON config file. */
export function readConfigFile(path: string): { path: string; values: Record<string, unknown> } {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read config file "${path}": ${(error as Error).message}`);
  }
  try {
    const values = JSON.parse(text);
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new Error("expected an object");
    }
    return { path, values };
  } catch (error) {
    throw new ConfigError(`Cannot parse config file "${path}": ${(error as Error).message}`);
  }
}

// Issue 14: CAXTON_CONFIG names the config file when --config is not given, so
// `caxton serve` and the CLI (finding its node) read the same file.
/** The config file named by `--config` or else `CAXTON_CONFIG`, read and parsed; undefined if neither. */
export function configFileOf(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): { path: string; values: Record<string, unknown> } | undefined {
  const path = flag ?? env.CAXTON_CONFIG;
  return path === undefined || path === "" ? undefined : readConfigFile(path);
}
