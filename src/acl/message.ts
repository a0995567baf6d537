/**
 * The FIPA ACL message (SC00061) as Caxton carries it: the JSON wire and ABI
 * form, with camelCase parameter names. Parsed once at the edge.
 */
import { limitReceivers } from "./receivers.ts";

/** The 22 FIPA communicative acts (SC00037). */
export const PERFORMATIVES = [
  "accept-proposal",
  "agree",
  "cancel",
  "cfp",
  "confirm",
  "disconfirm",
  "failure",
  "inform",
  "inform-if",
  "inform-ref",
  "not-understood",
  "propagate",
  "propose",
  "proxy",
  "query-if",
  "query-ref",
  "refuse",
  "reject-proposal",
  "request",
  "request-when",
  "request-whenever",
  "subscribe",
] as const;

/** A FIPA communicative act. */
export type Performative = typeof PERFORMATIVES[number];

/** A parsed ACL message. `receiver` is always a non-empty array. */
export interface AclMessage {
  performative: Performative;
  sender?: string;
  receiver: string[];
  replyTo?: string[];
  content?: unknown;
  language?: string;
  encoding?: string;
  ontology?: string;
  protocol?: string;
  conversationId?: string;
  replyWith?: string;
  inReplyTo?: string;
  replyBy?: string;
  /**
   * W3C trace context, set by the router on every message it routes (not a
   * FIPA parameter; `:X-traceparent` in the FIPA string encoding).
   */
  traceparent?: string;
}

/** Raised when input is not a valid ACL message; `reason` says which field and why. */
export class AclParseError extends Error {
  readonly code = "invalid_message";
  constructor(readonly reason: string) {
    super(`Cannot accept message: ${reason}`);
    this.name = "AclParseError";
  }
}

const _PERFORMATIVE_SET: ReadonlySet<string> = new Set(PERFORMATIVES);
const _STRING_FIELDS = [
  "sender",
  "language",
  "encoding",
  "ontology",
  "protocol",
  "conversationId",
  "replyWith",
  "inReplyTo",
  "replyBy",
  "traceparent",
] as const;
const _KNOWN = new Set<string>([
  "performative",
  "receiver",
  "replyTo",
  "content",
  ..._STRING_FIELDS,
]);

function _names(value: unknown, field: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AclParseError(`"${field}" must be an agent name or a non-empty array of names`);
  }
  for (const name of list) {
    if (typeof name !== "string" || name.length === 0 || name.length > 256) {
      throw new AclParseError(
        `"${field}" holds ${JSON.stringify(name)}; names are strings of 1 to 256 characters`,
      );
    }
  }
  return list as string[];
}

/** Options of {@linkcode toAclMessage}. */
export interface ParseOptions {
  /** Distinct receivers the message may name (default {@linkcode DEFAULT_MAX_RECEIVERS}). */
  maxReceivers?: number;
}

/**
 * Parses an already-decoded JSON value into an {@linkcode AclMessage}.
 * Repeated receivers count once; more than `maxReceivers` distinct ones
 * throw {@linkcode TooManyReceiversError} (after the rest parsed).
 */
export function toAclMessage(value: unknown, options: ParseOptions = {}): AclMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AclParseError("expected a JSON object");
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!_KNOWN.has(key)) {
      throw new AclParseError(
        `unknown parameter "${key}"; ACL parameters are ${[..._KNOWN].join(", ")}`,
      );
    }
  }
  const performative = obj.performative;
  if (typeof performative !== "string" || !_PERFORMATIVE_SET.has(performative)) {
    throw new AclParseError(
      `"performative" is ${
        JSON.stringify(performative)
      }; use one of the 22 FIPA acts, e.g. "request" or "inform"`,
    );
  }
  const message: AclMessage = {
    performative: performative as Performative,
    receiver: _names(obj.receiver, "receiver"),
  };
  if (obj.replyTo !== undefined) message.replyTo = _names(obj.replyTo, "replyTo");
  if (obj.content !== undefined) message.content = obj.content;
  for (const field of _STRING_FIELDS) {
    const v = obj[field];
    if (v === undefined) continue;
    if (typeof v !== "string") {
      throw new AclParseError(`"${field}" must be a string, got ${JSON.stringify(v)}`);
    }
    message[field] = v;
  }
  if (message.replyBy !== undefined && Number.isNaN(Date.parse(message.replyBy))) {
    throw new AclParseError(
      `"replyBy" is "${message.replyBy}"; use an ISO 8601 time such as 2026-01-01T00:00:00Z`,
    );
  }
  return limitReceivers(message, options.maxReceivers);
}

/** Parses JSON text into an {@linkcode AclMessage}. */
export function parseAclJson(text: string, options: ParseOptions = {}): AclMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AclParseError(`not valid JSON (${(cause as Error).message})`);
  }
  return toAclMessage(value, options);
}
