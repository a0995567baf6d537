/**
 * One call of a tool, bounded by a timeout, and its answer: `inform` with the
 * result, or `failure` with a code saying why (the tool's error, no answer in
 * time, the server failed or is not connected). Never throws.
 */
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Performative } from "../acl/mod.ts";
import type { ToolCallOutcome } from "./tool_call_record.ts";
import { type ToolResult, type ToolServer, ToolServerUnavailableError } from "./tool_server.ts";

/** What to answer the caller, and how the call ended. */
export interface ToolAnswer {
  performative: Performative;
  content: Record<string, unknown>;
  outcome: ToolCallOutcome;
  /** Why, when the outcome is not "ok". */
  detail?: string;
}

/** Calls `tool` of `server` with `args`, waiting at most `timeoutMs`. */
export async function callTool(
  server: ToolServer,
  tool: string,
  args: Record<string, unknown>,
  timeoutMs: number,
): Promise<ToolAnswer> {
  const address = `tool:${server.name}/${tool}`;
  const breaker = server.breaker;
  // An open breaker answers at once: the caller is not kept waiting on a failing server.
  if (breaker && !breaker.allow()) {
    const reason = `"${address}" is failing: its circuit is open for ${
      Math.ceil(breaker.retryInMs / 1000)
    } s more`;
    return {
      performative: "failure",
      content: { code: "circuit_open", reason },
      outcome: "failed",
      detail: reason,
    };
  }
  try {
    const result = await server.call(tool, args, timeoutMs);
    // The server answered (a tool's own error included): it is healthy.
    breaker?.succeeded();
    if (result.isError) {
      const reason = _text(result) || `"${address}" reported an error`;
      return {
        performative: "failure",
        content: { code: "tool_error", reason, result },
        outcome: "error",
        detail: reason,
      };
    }
    const content: Record<string, unknown> = { content: result.content };
    if (result.structuredContent !== undefined) {
      content.structuredContent = result.structuredContent;
    }
    return { performative: "inform", content, outcome: "ok" };
  } catch (error) {
    breaker?.failed();
    const timeout = error instanceof McpError &&
      (error as { code?: unknown }).code === ErrorCode.RequestTimeout;
    const code = timeout
      ? "tool_timeout"
      : error instanceof ToolServerUnavailableError
      ? "tool_unavailable"
      : "tool_failed";
    const reason = timeout
      ? `"${address}" did not answer within ${timeoutMs} ms (callTimeoutMs)`
      : `"${address}" failed: ${(error as Error).message}`;
    return {
      performative: "failure",
      content: { code, reason },
      outcome: timeout ? "timeout" : "failed",
      detail: reason,
    };
  }
}

/** The call's arguments from the request's content (an object, or JSON text of one), or why not. */
export function toolArguments(content: unknown): Record<string, unknown> | string {
  let value = content ?? {};
  if (typeof value === "string") {
    try {
      value = value.trim() === "" ? {} : JSON.parse(value);
    } catch (error) {
      return `the content is not JSON (${
        (error as Error).message
      }); send the tool's arguments as a JSON object`;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `the content is ${JSON.stringify(value)}; send the tool's arguments as a JSON object`;
  }
  return value as Record<string, unknown>;
}

/** The text parts of a result, joined. */
function _text(result: ToolResult): string {
  return result.content
    .map((part) =>
      typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text"
        ? String((part as { text?: unknown }).text ?? "")
        : ""
    )
    .filter((t) => t !== "")
    .join("\n");
}
