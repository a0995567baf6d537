/**
 * Parent-based ratio sampling, decided by Caxton before any span is started:
 * a trace with a parent follows the parent's sampled flag; a new trace is
 * sampled when its id falls under the ratio (the same rule as OpenTelemetry's
 * TraceIdRatioBased, so every node decides alike for one trace id).
 */

/** Whether a new trace with this id (32 hex digits) is sampled at `ratio`. */
export function sampledAtRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  // The last 8 hex digits as an unsigned 32-bit number: uniform for random ids.
  return parseInt(traceId.slice(24, 32), 16) < ratio * 0x1_0000_0000;
}

/** Whether a traceparent says its trace is sampled (with the ACL's trace context, where workers read it). */
export { isSampled } from "../acl/mod.ts";
