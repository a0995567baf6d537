/**
 * W3C Trace Context (traceparent) for ACL messages. The router stamps every
 * message it routes: a message caused by another (an agent's reply while
 * handling one, a failure about one) continues the cause's trace; a message
 * from outside keeps the trace its caller gave, or starts one. Each hop gets a
 * fresh parent-id, so a conversation across agents reads as one trace.
 */

const _TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const _ZERO_TRACE = "0".repeat(32);
const _ZERO_SPAN = "0".repeat(16);

/** The parts of a valid version-00 traceparent, or null. */
export function parseTraceparent(
  value: string | undefined,
): { traceId: string; parentId: string; flags: string } | null {
  if (value === undefined) return null;
  const match = _TRACEPARENT.exec(value);
  if (!match || match[1] === _ZERO_TRACE || match[2] === _ZERO_SPAN) return null;
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

/** 16 random lowercase hex digits (a span id). */
export function newSpanId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/** 32 random lowercase hex digits (a trace id). */
export function newTraceId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The traceparent for the next hop: the trace of `parent` (when valid) with a
 * new span id, or a new sampled trace.
 */
export function nextTraceparent(parent: string | undefined): string {
  const context = parseTraceparent(parent);
  if (context) return `00-${context.traceId}-${newSpanId()}-${context.flags}`;
  return `00-${newTraceId()}-${newSpanId()}-01`;
}
