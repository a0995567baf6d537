/**
 * Log lines as OTLP log records with their own severity (an `info` line is
 * INFO, not the ERROR that Deno's console capture gave every stderr line),
 * joined to the span they were written in: the one their fields name (an
 * agent's line, written while a traced delivery was handled) or the active one.
 */
import { type Attributes, context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { type Logger as OtelLogger, SeverityNumber } from "@opentelemetry/api-logs";
import { ATTR } from "./attributes.ts";
import { LOG_LEVELS, type Logger, type LogLevel } from "./logger.ts";

const _SEVERITY: Record<LogLevel, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

function _attributes(fields: Record<string, unknown>): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === ATTR.traceId || key === ATTR.spanId || value === undefined) continue;
    attributes[key] = typeof value === "string" || typeof value === "number" ||
        typeof value === "boolean"
      ? value
      : JSON.stringify(value);
  }
  return attributes;
}

/** Writes through `inner` and also exports each line at or above `level` to `records`. */
export function exportingLogs(inner: Logger, records: OtelLogger, level: LogLevel): Logger {
  const min = LOG_LEVELS.indexOf(level);
  return {
    log(lvl, message, fields = {}) {
      inner.log(lvl, message, fields);
      if (LOG_LEVELS.indexOf(lvl) < min) return;
      const traceId = fields[ATTR.traceId];
      const spanId = fields[ATTR.spanId];
      records.emit({
        severityNumber: _SEVERITY[lvl],
        severityText: lvl.toUpperCase(),
        body: message,
        attributes: _attributes(fields),
        context: typeof traceId === "string" && typeof spanId === "string"
          ? trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1, isRemote: true })
          : context.active(),
      });
    },
  };
}
