/**
 * The zod schema of the node's settings, one entry per key of the config
 * file, each with the `CAXTON_*` variable that sets it. Values from the
 * environment and flags arrive as text: numbers, booleans and lists are read
 * from it. A refusal says what was expected; config.ts adds the key, the
 * value and where it came from. The sections that merge over what is already
 * set (`limits`, `mcp`, `cluster`) have their own parsers.
 */
import { z } from "zod";
import { parseAllowlist } from "./webhook_allowlist.ts";

/** Log levels, lowest first (src/telemetry's logger orders by this). Agent `log` levels 0..4 map onto these. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Text from the environment or a flag read as a number; anything else as it is. */
const _number = (value: unknown) =>
  typeof value === "string" && value.trim() !== "" ? Number(value) : value;

/** An integer from `min` to `max`. */
const _integer = (min: number, max: number) => {
  const error = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    _number,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
};

/** `true`/`false`, or the same as text. */
const _boolean = z.preprocess(
  (v) => v === "true" ? true : v === "false" ? false : v,
  z.boolean({ error: "use true or false" }),
);

/** A list, comma-separated when given as text. */
const _list = (error: string) =>
  z.preprocess(
    (v) => typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : v,
    z.array(z.string({ error }), { error }),
  );

const _nonEmpty = z.string({ error: "expected a non-empty string" }).min(1, {
  error: "expected a non-empty string",
});

/** The scalar settings, by key. */
export const SETTINGS = {
  dataDir: _nonEmpty,
  host: _nonEmpty,
  port: _integer(0, 65_535),
  workers: _integer(1, 256),
  watchdogMs: _integer(100, 3_600_000),
  mailboxCapacity: _integer(1, 10_000_000),
  logLevel: z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(", ")}` }),
  messageLog: z.enum(["log", "none"], {
    error: 'use "log" (durable) or "none" (memory only)',
  }),
  corsOrigins: _list(
    'expected a list of origins (comma-separated in the environment), or "*"',
  ),
  maxRequestBytes: _integer(1024, 1024 * 1024 * 1024),
  apiToken: z.string({ error: "expected a string of at least 8 characters" }).min(8, {
    error: "expected a string of at least 8 characters",
  }),
  tracing: _boolean,
  traceSampleRatio: z.preprocess(
    _number,
    z.number({ error: "expected a number from 0 to 1 (0.01 samples one new trace in 100)" })
      .min(0, { error: "expected a number from 0 to 1 (0.01 samples one new trace in 100)" })
      .max(1, { error: "expected a number from 0 to 1 (0.01 samples one new trace in 100)" }),
  ),
  // Fairness between agents (issue 13 item 5).
  sendQuota: _integer(0, 1_000_000_000),
  saturationBacklog: _integer(0, 1_000_000_000),
  sendQuotaIntervalMs: _integer(1, 3_600_000),
  saturationMs: _integer(1, 3_600_000),
  // Fan-out and retention (issue 13).
  maxReceivers: _integer(1, 100_000),
  messageLogMaxAgeMs: _integer(0, 100 * 365 * 86_400_000),
  messageLogMaxBytes: _integer(0, Number.MAX_SAFE_INTEGER),
  messageLogPruneIntervalMs: _integer(10, 86_400_000),
  // Webhook address policy (issue 13).
  webhookAllowPrivate: _boolean,
  webhookAllowlist: _list(
    "expected a list of CIDRs, addresses or host names (comma-separated in the environment)",
  ).superRefine((entries, ctx) => {
    try {
      parseAllowlist(entries);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
} as const;

/** Settings whose value is never repeated in a message. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["apiToken"]);

/** The environment variable of each setting. */
export const ENV_NAMES = {
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
  CAXTON_NODE_NAME: "nodeName",
} as const;

/** The first refusal of `value` for scalar setting `key`, or its parsed value. */
export function parseSetting(
  key: keyof typeof SETTINGS,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; expected: string; namesPart: boolean } {
  const result = SETTINGS[key].safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  // A custom check's message quotes the part at fault (one list entry), not the whole value.
  return { ok: false, expected: issue.message, namesPart: issue.code === "custom" };
}
