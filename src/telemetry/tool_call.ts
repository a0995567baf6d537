/**
 * The hook the MCP layer calls around each tool call: a span (child of the
 * request message's trace) and the tool call counter.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isSampled } from "./sampling.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { CaxtonMetrics } from "./metrics.ts";
import type { Telemetry } from "./tracing.ts";

/** What the caller says when a tool call ends. */
export interface ToolCallEnd {
  /** Call with null when the tool answered, or with why it failed. */
  (failure: string | null): void;
}

/**
 * Starts timing one MCP tool call `server`/`tool` made for a request whose
 * traceparent is `traceparent`; returns the function to call when it ends.
 * Counts `caxton_tool_calls_total{server,tool,outcome}`; with tracing on and
 * the trace sampled, records a `caxton.tool.call` client span under it.
 *
 * @example In the MCP tool agent
 * ```ts ignore
 * const end = toolCallSpan(node.metrics, node.telemetry, "fs", "read_file", request.traceparent);
 * try { result = await client.callTool(...); end(null); } catch (e) { end(e.message); throw e; }
 * ```
 */
export function toolCallSpan(
  metrics: CaxtonMetrics,
  telemetry: Telemetry | null,
  server: string,
  tool: string,
  traceparent?: string,
): ToolCallEnd {
  const span = telemetry && isSampled(traceparent)
    ? telemetry.tracer.startSpan(
      `${SPAN.toolCall} ${server}/${tool}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { [ATTR.toolServer]: server, [ATTR.toolName]: tool },
      },
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: traceparent!.slice(3, 35),
        spanId: traceparent!.slice(36, 52),
        traceFlags: 1,
        isRemote: true,
      }),
    )
    : null;
  return (failure) => {
    metrics.toolCall(server, tool, failure === null ? "ok" : "error");
    if (!span) return;
    if (failure !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    span.end();
  };
}
