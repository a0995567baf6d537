/**
 * The last lines each agent logged through `caxton.log`, kept in memory so
 * the dashboard (GET /api/v1/agents/{name}/logs) can show them without a log
 * shipper. Lines still go to the node's own logger; this only remembers a
 * bounded tail per agent.
 */
import { ATTR } from "./attributes.ts";
import type { Logger, LogLevel } from "./logger.ts";

/** One remembered line. */
export interface RecentLogLine {
  /** Position in this node's sequence of agent lines (a paging cursor). */
  seq: number;
  at: string;
  level: LogLevel;
  text: string;
  traceId: string | null;
}

/** Options of {@linkcode RecentAgentLogs}. */
export interface RecentAgentLogsOptions {
  /** Lines kept per agent; older ones are dropped. Default 200. */
  perAgent?: number;
}

/** Remembers agent log lines as they pass to another logger. */
export class RecentAgentLogs {
  readonly #perAgent: number;
  readonly #lines = new Map<string, RecentLogLine[]>();
  #seq = 0;

  constructor(options: RecentAgentLogsOptions = {}) {
    this.#perAgent = options.perAgent ?? 200;
  }

  /** A logger that records agent lines (`source: "agent"`) and forwards every line to `inner`. */
  watching(inner: Logger): Logger {
    return {
      log: (level, message, fields = {}) => {
        const agent = fields[ATTR.agentName];
        if (fields.source === "agent" && typeof agent === "string") {
          this.#remember(agent, level, message, fields.trace_id);
        }
        inner.log(level, message, fields);
      },
    };
  }

  /** The agent's remembered lines, oldest first, those after `after` only. */
  of(agent: string, after = 0): RecentLogLine[] {
    return (this.#lines.get(agent) ?? []).filter((l) => l.seq > after);
  }

  #remember(agent: string, level: LogLevel, text: string, traceId: unknown): void {
    let lines = this.#lines.get(agent);
    if (!lines) this.#lines.set(agent, lines = []);
    lines.push({
      seq: ++this.#seq,
      at: new Date().toISOString(),
      level,
      text,
      traceId: typeof traceId === "string" ? traceId : null,
    });
    if (lines.length > this.#perAgent) lines.splice(0, lines.length - this.#perAgent);
  }
}
