/** Reading request bodies once, at the edge, into parsed values or problems. */
import type { Context, MiddlewareHandler } from "hono";
import {
  type AclMessage,
  DEFAULT_MAX_RECEIVERS,
  limitReceivers,
  parseFipaString,
  toAclMessage,
} from "../acl/mod.ts";
import { problem, ProblemError } from "./problem_details.ts";

/** Content types that carry a FIPA string (SC00070) message. */
const FIPA_TYPES = ["text/fipa-acl", "application/fipa-acl"] as const;

function _mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Refuses a body whose media type is not one of `accepted`. */
export function requireMediaType(c: Context, accepted: readonly string[]): string {
  const type = _mediaType(c);
  if (!accepted.includes(type)) {
    throw new ProblemError(
      problem(
        415,
        "unsupported_media_type",
        `Cannot read a body of type "${type || "(none)"}" here`,
        `Send it with Content-Type: ${accepted.join(" or ")}`,
        { accepted },
      ),
    );
  }
  return type;
}

/** Parses a JSON body, or an empty object when the body is empty and `optional`. */
async function readJson(c: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "" && options.optional) return {};
  if (text.trim() !== "") requireMediaType(c, ["application/json"]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProblemError(
      problem(
        400,
        "bad_json",
        `Cannot parse the request body as JSON: ${(error as Error).message}`,
        "Send a well-formed JSON document with Content-Type: application/json",
      ),
    );
  }
  _refuseDeepNesting(value);
  return value;
}

/**
 * How deeply a JSON body may nest. Deeper values parse, but copying,
 * printing or logging them recursively overflows the stack (found by
 * fuzzing, issue 13), so they are refused at the edge.
 */
export const MAX_JSON_DEPTH = 100;

/** Throws a 400 problem when `value` nests deeper than {@linkcode MAX_JSON_DEPTH}; iterative, so any depth is safe to measure. */
function _refuseDeepNesting(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [next, depth] = stack.pop()!;
    if (typeof next !== "object" || next === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new ProblemError(
        problem(
          400,
          "too_deep",
          `Cannot read the request body: it nests deeper than ${MAX_JSON_DEPTH} levels`,
          `Flatten the content to at most ${MAX_JSON_DEPTH} levels of arrays and objects, or send it as a string`,
          { maxDepth: MAX_JSON_DEPTH },
        ),
      );
    }
    for (const child of Object.values(next)) stack.push([child, depth + 1]);
  }
}

/**
 * Route middleware in front of a JSON body schema: refuses another media type
 * (415), JSON that does not parse (`bad_json`) or nests too deep (`too_deep`)
 * with today's problems, before the route's zod schema checks the fields. An
 * empty `optional` body reads as `{}`.
 */
export function jsonBody(options: { optional?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    const text = await c.req.text();
    if (text.trim() === "" && options.optional) {
      // Labelled JSON, the validator parses the cached text again: read the empty body as an
      // empty object (Hono keeps the pending read there, typed as its result).
      if (_mediaType(c) === "application/json") {
        (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve("{}");
      }
    } else {
      await readJson(c);
    }
    await next();
  };
}

/**
 * Reads an ACL message sent as JSON or as a FIPA string; repeated receivers
 * count once, more than `maxReceivers` distinct ones are refused (413).
 */
export async function readAclMessage(
  c: Context,
  maxReceivers = DEFAULT_MAX_RECEIVERS,
): Promise<AclMessage> {
  const type = requireMediaType(c, ["application/json", ...FIPA_TYPES]);
  const message = type !== "application/json"
    ? limitReceivers(parseFipaString(await c.req.text()), maxReceivers)
    : toAclMessage(await readJson(c), { maxReceivers });
  return withCallerTrace(c, message);
}

/** The request span's traceparent (set by the telemetry middleware), if any. */
export function callerTraceparent(c: Context): string | undefined {
  return (c.var as { traceparent?: string }).traceparent;
}

/**
 * Continues the HTTP caller's trace in a message it sends, unless the message
 * names its own: the request's traceparent (set by the telemetry middleware).
 */
export function withCallerTrace<T extends { traceparent?: string }>(c: Context, message: T): T {
  const traceparent = callerTraceparent(c);
  if (message.traceparent === undefined && traceparent !== undefined) {
    message.traceparent = traceparent;
  }
  return message;
}

/** The longest delay a timer takes; a longer one fires at once, so no API setting may exceed it. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A time given as Unix epoch milliseconds or an ISO 8601 date, in epoch milliseconds; undefined if neither. */
export function parseTime(raw: string): number | undefined {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(n) ? n : undefined;
}
