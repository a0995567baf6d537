/**
 * W3C Trace Context (traceparent) for ACL messages. The router stamps every
 * message it routes: a message caused by another (an agent's reply while
 * handling one, a failure about one) continues the cause's trace; a message
 * from outside keeps the trace its caller gave, or starts one. Each hop gets a
 * fresh parent-id, so a conversation across agents reads as one trace.
 * Runs once per message on the hot path, hence no regex and pooled randomness.
 */

const _HEX = "0123456789abcdef";
const _random = new Uint32Array(1024);
let _next = _random.length;

function _isHex(value: string, from: number, to: number): boolean {
  let nonZero = false;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}

/** The parts of a valid version-00 traceparent (ids not all zero), or null. */
export function parseTraceparent(
  value: string | undefined,
): { traceId: string; parentId: string; flags: string } | null {
  if (
    value === undefined || value.length !== 55 || !value.startsWith("00-") ||
    value[35] !== "-" || value[52] !== "-" ||
    !_isHex(value, 3, 35) || !_isHex(value, 36, 52) ||
    !(_isHex(value, 53, 55) || value.endsWith("00"))
  ) return null;
  return { traceId: value.slice(3, 35), parentId: value.slice(36, 52), flags: value.slice(53) };
}

function _hex32(): string {
  if (_next === _random.length) {
    crypto.getRandomValues(_random);
    _next = 0;
  }
  let n = _random[_next++]!;
  let out = "";
  for (let i = 0; i < 8; i++, n >>>= 4) out = _HEX[n & 15] + out;
  return out;
}

/** 16 random lowercase hex digits (a span id; never all zero in practice). */
export function newSpanId(): string {
  return _hex32() + _hex32();
}

/** 32 random lowercase hex digits (a trace id). */
export function newTraceId(): string {
  return _hex32() + _hex32() + _hex32() + _hex32();
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

/** Whether a traceparent says its trace is sampled (flags bit 0). */
export function isSampled(traceparent: string | undefined): boolean {
  return traceparent !== undefined && (parseInt(traceparent.slice(53, 55), 16) & 1) === 1;
}
