/**
 * One typed configuration from, in rising priority: defaults, a JSON file,
 * environment variables, command-line flags. Validated once, with errors that
 * name the setting and its source.
 */
import { join } from "node:path";
import { type ClusterConfig, parseClusterConfig } from "./cluster_config.ts";
import { defaultMcpConfig, type McpConfig, parseMcpConfig } from "./mcp_config.ts";
import { type AgentLimits, DEFAULT_LIMITS, resolveLimits } from "./agent_limits.ts";
import { ENV_NAMES, type LogLevel, parseSetting, SECRET_SETTINGS, SETTINGS } from "./settings.ts";
import {
  defaultSecurityConfig,
  parseSecurityConfig,
  type SecurityConfig,
  securityFromEnv,
} from "./security_config.ts";
import {
  defaultScaleConfig,
  parseScaleConfig,
  type ScaleConfig,
  scaleFromEnv,
} from "./scale_config.ts";
import {
  defaultSchedulingConfig,
  parseSchedulingConfig,
  type SchedulingConfig,
  schedulingFromEnv,
} from "./scheduling_config.ts";
import {
  defaultPoolsConfig,
  parsePoolsConfig,
  type PoolsConfig,
  poolsFromEnv,
} from "./pools_config.ts";

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
   * Caxton's spans and per-message metrics, exported over OTLP by Caxton's own
   * exporter (docs/OBSERVABILITY.md). On by default when OTEL_DENO=true (Deno's
   * exporter is running); `CAXTON_TRACING=false` turns them off anyway.
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
  /** Authentication, roles, rate limits, audit, circuit breakers (docs/SECURITY.md). */
  security: SecurityConfig;
  /** Activation on demand and bounded metrics (issue 21, docs/ARCHITECTURE.md). */
  scale: ScaleConfig;
  /** Agent workers' priority and the event-loop lag `/ready` reports (issue 13, docs/API.md). */
  scheduling: SchedulingConfig;
  /** When pools deployed with `instances: {min, max}` grow and shrink (docs/POOLS.md). */
  pools: PoolsConfig;
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
    security: defaultSecurityConfig(),
    scale: defaultScaleConfig(),
    scheduling: defaultSchedulingConfig(),
    pools: defaultPoolsConfig(),
  };
}

/** A refused value: the key, the value (undefined: not shown), where it came from, what was expected. */
function _refusal(
  key: string,
  value: unknown,
  source: string,
  expected: string,
  env?: string,
): ConfigError {
  const shown = value === undefined ? "" : `=${JSON.stringify(value)}`;
  const by = env === undefined ? "" : ` (set by ${env})`;
  return new ConfigError(`Cannot use ${key}${shown} from ${source}: ${expected}${by}`);
}

function _apply(
  config: CaxtonConfig,
  values: Record<string, unknown>,
  source: string,
  envNames: Record<string, string> = {},
): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const env = envNames[key];
    if (Object.hasOwn(SETTINGS, key)) {
      const parsed = parseSetting(key as keyof typeof SETTINGS, value);
      if (!parsed.ok) {
        const hidden = SECRET_SETTINGS.has(key) || parsed.namesPart;
        throw _refusal(key, hidden ? undefined : value, source, parsed.expected, env);
      }
      (config as unknown as Record<string, unknown>)[key] = parsed.value;
      continue;
    }
    // Sections that merge over what is already set, each with its own parser.
    try {
      switch (key) {
        case "limits":
          config.limits = resolveLimits(value as Record<string, unknown>, config.limits);
          break;
        case "mcp":
          config.mcp = parseMcpConfig(value, config.mcp);
          break;
        // Cluster (docs/CLUSTER.md): servers as text or the whole object; nodeName is cluster.name.
        case "cluster":
        case "nodeName":
          config.cluster = parseClusterConfig(
            key === "cluster" ? value : { name: value },
            config.cluster,
          );
          break;
        case "security":
          config.security = parseSecurityConfig(value, config.security);
          break;
        case "scale":
          config.scale = parseScaleConfig(value, config.scale);
          break;
        case "scheduling":
          config.scheduling = parseSchedulingConfig(value, config.scheduling);
          break;
        case "pools":
          config.pools = parsePoolsConfig(value, config.pools);
          break;
        default:
          throw new ConfigError(
            `Cannot use setting "${key}" from ${source}: unknown; known settings are ${
              [...Object.keys(defaultConfig()), "nodeName"].join(", ")
            }`,
          );
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const by = env === undefined ? "" : `, set by ${env}`;
      // The section's parser names the field at fault (`mcp.servers.x`, `limit "deadlineMs"`).
      const what = (error as Error).message.replace(/^Cannot use /, "");
      throw new ConfigError(`Cannot use ${what} (from ${source}${by})`);
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
    const envNames: Record<string, string> = {};
    for (const [name, key] of Object.entries(ENV_NAMES)) {
      if (sources.env[name] === undefined) continue;
      fromEnv[key] = sources.env[name];
      envNames[key] = name;
    }
    // Deno's exporter runs: Caxton's spans go with it unless CAXTON_TRACING says no.
    if (sources.env.OTEL_DENO === "true" && fromEnv.tracing === undefined) fromEnv.tracing = true;
    fromEnv.scale = scaleFromEnv(sources.env);
    fromEnv.scheduling = schedulingFromEnv(sources.env);
    fromEnv.pools = poolsFromEnv(sources.env);
    const security = securityFromEnv(sources.env);
    if (security) fromEnv.security = security;
    _apply(config, fromEnv, "the environment", envNames);
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
