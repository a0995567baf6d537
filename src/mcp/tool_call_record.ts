/**
 * What is kept of a finished tool call: its counters per tool, one log line,
 * and a record handed to the `onCall` hook (the data of a span).
 */
import type { Logger } from "../telemetry/mod.ts";

/** How one call ended. */
export type ToolCallOutcome = "ok" | "error" | "timeout" | "refused" | "failed";

/** One finished call: what a span of it records. */
export interface ToolCallRecord {
  server: string;
  tool: string;
  /** The agent or participant that called. */
  caller: string;
  outcome: ToolCallOutcome;
  durationMs: number;
  /** Why, when the outcome is not "ok". */
  detail?: string;
  conversationId?: string;
}

/** Calls to one tool since the node started. */
export interface ToolCounters {
  calls: number;
  ok: number;
  errors: number;
  timeouts: number;
  refused: number;
  failed: number;
  /** Sum of the durations of answered calls, ms. */
  totalMs: number;
}

/** Counters at zero. */
export function newToolCounters(): ToolCounters {
  return { calls: 0, ok: 0, errors: 0, timeouts: 0, refused: 0, failed: 0, totalMs: 0 };
}

/** Counts `record` in `counters`, logs it, and tells `onCall` (a hook that throws is logged). */
export function recordToolCall(
  record: ToolCallRecord,
  counters: ToolCounters,
  log: Logger,
  onCall?: (call: ToolCallRecord) => void,
): void {
  const { outcome, durationMs } = record;
  counters.calls++;
  if (outcome === "ok") counters.ok++;
  else if (outcome === "error") counters.errors++;
  else if (outcome === "timeout") counters.timeouts++;
  else if (outcome === "refused") counters.refused++;
  else counters.failed++;
  if (outcome !== "refused") counters.totalMs += durationMs;
  log.log(outcome === "ok" ? "info" : "warn", "tool call", {
    "caxton.mcp.server": record.server,
    "caxton.mcp.tool": record.tool,
    "caxton.agent.name": record.caller,
    "caxton.conversation.id": record.conversationId,
    outcome,
    durationMs: Math.round(durationMs * 1000) / 1000,
    detail: record.detail,
  });
  try {
    onCall?.(record);
  } catch (error) {
    log.log("error", "onToolCall hook threw", { error: (error as Error).message });
  }
}
