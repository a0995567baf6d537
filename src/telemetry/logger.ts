/**
 * Structured JSON logs, one object per line on stderr. Keys are shared with
 * spans (see attributes.ts) so a log line and its trace can be joined.
 */
import { trace } from "@opentelemetry/api";
import { LOG_LEVELS, type LogLevel } from "../config/mod.ts";

// The levels are a setting: config owns them, so config imports nothing from here.
export { LOG_LEVELS };
export type { LogLevel };

/** Where Caxton's components write what happened. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Writes JSON lines to a sink (stderr by default) at or above `level`. */
export function createJsonLogger(
  level: LogLevel = "info",
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  const min = LOG_LEVELS.indexOf(level);
  return {
    log(lvl, message, fields = {}) {
      if (LOG_LEVELS.indexOf(lvl) < min) return;
      // Inside a recorded span (an API request, a lifecycle operation): say which.
      const span = trace.getActiveSpan();
      const ids = span?.isRecording()
        ? { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId }
        : undefined;
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: lvl,
          msg: message,
          ...ids,
          ...fields,
        }),
      );
    },
  };
}

/** A logger that keeps nothing (tests, benchmarks). */
export const SILENT_LOGGER: Logger = { log() {} };
