/**
 * Deliveries and outcomes as one string per post between the main thread and
 * an agent worker. A string crosses threads as one copy, where an array of
 * objects is cloned field by field on both sides (structured clone); a batch
 * of hundreds of small deliveries or outcomes is the routing path's commonest
 * post, so its fields are written as text with their lengths.
 *
 * One item: a header line of comma-separated numbers, then the texts whose
 * lengths it names, back to back. Texts are never split or escaped, so any
 * content crosses unchanged.
 */
import type { Delivery, Outcome } from "./worker_protocol.ts";

/** `observe` and `timed` of a delivery, as bits of its header. */
const _OBSERVE = 1;
const _TIMED = 2;

/** Appends one delivery to a packed batch. */
export function packDelivery(packed: string, d: Delivery): string {
  const flags = (d.observe ? _OBSERVE : 0) | (d.timed ? _TIMED : 0);
  const trace = d.traceparent ?? "";
  return `${packed}${d.instanceId},${d.seq},${flags},${trace.length},${d.message.length}\n${trace}${d.message}`;
}

/** Calls `each` with every delivery of a packed batch, in order. */
export function unpackDeliveries(packed: string, each: (d: Delivery) => void): void {
  let at = 0;
  while (at < packed.length) {
    const header = _header(packed, at, 5);
    at = header.end;
    const [instanceId, seq, flags, traceLength, messageLength] = header.fields as _Five;
    const traceparent = traceLength > 0 ? packed.slice(at, at + traceLength) : undefined;
    at += traceLength;
    const delivery: Delivery = {
      instanceId,
      seq,
      message: packed.slice(at, at + messageLength),
      traceparent,
    };
    at += messageLength;
    if (flags & _OBSERVE) delivery.observe = true;
    if (flags & _TIMED) delivery.timed = true;
    each(delivery);
  }
}

/** What an outcome of a plain delivery holds besides its sends: nothing (shared, never written). */
const _NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * Whether an outcome is plain: handled, and nothing to report but the
 * messages it sent and its fuel (what almost every outcome is).
 */
export function isPlain(o: Outcome): boolean {
  return o.failure === null && Number.isSafeInteger(o.fuelUsed) && o.fuelUsed >= 0 &&
    o.stateChanges.length === 0 && o.logs.length === 0 &&
    o.capabilities.length === 0 && o.timers === undefined && o.startedAt === undefined &&
    o.message === undefined && o.logRef === undefined && o.memoryBytes === undefined;
}

/**
 * Outcomes as a packed string of the plain ones plus, in order among them,
 * the others as objects (`rest`): header `instanceId,seq,fuel,sends,len...`,
 * or `-1` for the next object of `rest`.
 */
export function packOutcomes(outcomes: readonly Outcome[]): { packed: string; rest: Outcome[] } {
  let packed = "";
  const rest: Outcome[] = [];
  for (const o of outcomes) {
    if (!isPlain(o)) {
      rest.push(o);
      packed += "-1\n";
      continue;
    }
    let header = `${o.instanceId},${o.seq},${o.fuelUsed},${o.sends.length}`;
    for (const send of o.sends) header += `,${send.length}`;
    packed += header + "\n";
    for (const send of o.sends) packed += send;
  }
  return { packed, rest };
}

/** The outcomes {@linkcode packOutcomes} packed, in their order. */
export function unpackOutcomes(packed: string, rest: readonly Outcome[]): Outcome[] {
  const outcomes: Outcome[] = [];
  let next = 0;
  let at = 0;
  while (at < packed.length) {
    const header = _header(packed, at, 0);
    at = header.end;
    const f = header.fields;
    if (f[0] === -1) {
      outcomes.push(rest[next++]!);
      continue;
    }
    const sends: string[] = [];
    for (let i = 0; i < f[3]!; i++) {
      const length = f[4 + i]!;
      sends.push(packed.slice(at, at + length));
      at += length;
    }
    outcomes.push({
      instanceId: f[0]!,
      seq: f[1]!,
      failure: null,
      trapped: false,
      sends,
      stateChanges: _NONE,
      logs: _NONE,
      capabilities: _NONE,
      fuelUsed: f[2]!,
    });
  }
  return outcomes;
}

/** A direct delivery a worker accepted, for the main thread to log (`DirectLogReport`). */
export interface OpenedDirect {
  instanceId: number;
  ref: number;
  receiver: string;
  traceparent: string | undefined;
  text: string;
}

/** Appends one accepted direct delivery to a packed report. */
export function packOpened(packed: string, d: OpenedDirect): string {
  const trace = d.traceparent ?? "";
  return `${packed}${d.instanceId},${d.ref},${d.receiver.length},${trace.length},${d.text.length}\n${d.receiver}${trace}${d.text}`;
}

/** Calls `each` with every delivery of a packed report, in order. */
export function unpackOpened(packed: string, each: (d: OpenedDirect) => void): void {
  let at = 0;
  while (at < packed.length) {
    const header = _header(packed, at, 5);
    at = header.end;
    const [instanceId, ref, receiverLength, traceLength, textLength] = header.fields as _Five;
    const receiver = packed.slice(at, at += receiverLength);
    const traceparent = traceLength > 0 ? packed.slice(at, at + traceLength) : undefined;
    at += traceLength;
    each({ instanceId, ref, receiver, traceparent, text: packed.slice(at, at += textLength) });
  }
}

/** A header of five numbers. */
type _Five = [number, number, number, number, number];

/** Reads the comma-separated numbers of the header line at `at` (`count` of them, 0: all). */
function _header(packed: string, at: number, count: number): { fields: number[]; end: number } {
  const end = packed.indexOf("\n", at);
  const fields: number[] = [];
  let n = 0;
  let negative = false;
  for (let i = at; i < end; i++) {
    const c = packed.charCodeAt(i);
    if (c === 44 /* , */) {
      fields.push(negative ? -n : n);
      n = 0;
      negative = false;
    } else if (c === 45 /* - */) negative = true;
    else n = n * 10 + (c - 48);
  }
  fields.push(negative ? -n : n);
  if (count > 0 && fields.length !== count) {
    throw new TypeError(`Cannot read a packed delivery: its header has ${fields.length} fields`);
  }
  return { fields, end: end + 1 };
}
