/**
 * Seeded, time-bounded fuzzing of a served node's REST API and of the ACL
 * codecs, shared by the test suite (a short run) and `deno task fuzz` (a long
 * one). A failure names the seed and fast-check's path, so the same run can
 * be replayed with `--seed` (the API's answers depend on timing too, so a
 * replay finds the same request, not always the same answer).
 */
import fc from "fast-check";
import {
  AclParseError,
  parseAclJson,
  parseFipaString,
  toAclMessage,
} from "../../../src/acl/mod.ts";
import { fipaLike, jsonLike } from "./acl_inputs.ts";
import { type FuzzRequest, requests, type Route, routesOf } from "./api_requests.ts";

/** How long and from which seed. */
export interface FuzzOptions {
  seed: number;
  /** Time budget in milliseconds; the run stops at the first failure or when it runs out. */
  ms: number;
  /**
   * Called every 100 requests to put back what fuzzed DELETEs and stops took
   * away (the known agents and participants), so later requests reach them.
   */
  replenish?: () => Promise<void>;
  /** Valid agent modules, sent as deploy bodies so deploys reach their options. */
  modules?: readonly Uint8Array[];
}

/** What a run did. */
export interface FuzzReport {
  seed: number;
  runs: number;
  /** Answers by status; `abandoned` counts waits the fuzzer gave up on (long polls, streams). */
  statuses: Record<string, number>;
}

/** A request answered wrongly: what was sent and what came back. */
export class FuzzFinding extends Error {
  constructor(readonly request: FuzzRequest, readonly problem: string) {
    super(`${request.method} ${request.path} → ${problem}`);
    this.name = "FuzzFinding";
  }
}

// A request that does not ask to wait must be answered in this time.
const _ANSWER_MS = 8_000;
// Requests that may wait (long poll, streams, `?timeout`) are abandoned after this.
const _WAIT_MS = 1_500;

/**
 * Sends random requests to every route of `base`'s OpenAPI document until
 * `ms` runs out. Every answer must be below 500, or a 5xx the document
 * declares for that operation; every error must be `application/problem+json`
 * with type, title, status and detail. Rejects with fast-check's report (seed
 * and path included) at the first wrong answer.
 */
export async function fuzzApi(
  base: string,
  known: readonly string[],
  options: FuzzOptions,
): Promise<FuzzReport> {
  const document = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  const routes = routesOf(document);
  const statuses: Record<string, number> = {};
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(requests(routes, known, options.modules), async (request) => {
      if (++runs % 100 === 0) await options.replenish?.();
      const outcome = await _send(base, request);
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    }),
    {
      seed: options.seed,
      numRuns: 1_000_000_000,
      interruptAfterTimeLimit: options.ms,
      markInterruptAsFailure: false,
      // Shrinking resends requests against a node the failure may have changed; the first is enough.
      endOnFailure: true,
    },
  );
  return { seed: options.seed, runs, statuses };
}

/** Sends one request and checks the answer; resolves with its status (or "abandoned"). */
async function _send(base: string, request: FuzzRequest): Promise<string> {
  const search = new URLSearchParams(request.query).toString();
  const mayWait = request.query.some(([key]) => key === "wait" || key === "timeout") ||
    /\/(stream|tail|request)/.test(request.path) ||
    request.headers.some(([name, value]) => name === "accept" && value === "text/event-stream");
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    try {
      headers.append(name, value);
    } catch { /* a header fetch itself refuses is not the server's problem */ }
  }
  const withBody = request.method !== "GET" && request.method !== "HEAD";
  let res: Response;
  try {
    res = await fetch(`${base}${request.path}${search === "" ? "" : `?${search}`}`, {
      method: request.method,
      headers,
      body: withBody ? request.body as BodyInit | null : null,
      signal: AbortSignal.timeout(mayWait ? _WAIT_MS : _ANSWER_MS),
    });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") {
      if (mayWait) return "abandoned";
      throw new FuzzFinding(request, `no answer within ${_ANSWER_MS} ms`);
    }
    if (error instanceof TypeError && /invalid|URL|header/i.test(error.message)) {
      return "unsendable"; // refused by fetch itself (e.g. a path it cannot send)
    }
    throw new FuzzFinding(request, `the connection failed: ${(error as Error).message}`);
  }
  const type = res.headers.get("content-type") ?? "";
  let text = "";
  try {
    if (type.startsWith("text/event-stream")) await res.body?.cancel();
    else text = await res.text();
  } catch (error) {
    if ((error as Error).name !== "TimeoutError") {
      throw new FuzzFinding(request, `the body failed: ${(error as Error).message}`);
    }
  }
  _check(request, res, type, text);
  return String(res.status);
}

function _check(request: FuzzRequest, res: Response, type: string, text: string): void {
  const documented = request.route.methods.get(request.method);
  if (res.status >= 500 && (res.status === 500 || !documented?.has(String(res.status)))) {
    throw new FuzzFinding(request, `${res.status}: ${text.slice(0, 500)}`);
  }
  if (res.status < 400) return;
  if (type !== "application/problem+json") {
    throw new FuzzFinding(
      request,
      `${res.status} with content-type "${type}": ${text.slice(0, 200)}`,
    );
  }
  if (request.method === "HEAD") return; // no body to check
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new FuzzFinding(request, `${res.status} problem that is not JSON: ${text.slice(0, 200)}`);
  }
  for (const field of ["type", "title", "detail"]) {
    if (typeof body[field] !== "string" || body[field] === "") {
      throw new FuzzFinding(
        request,
        `${res.status} problem without ${field}: ${text.slice(0, 300)}`,
      );
    }
  }
  if (body.status !== res.status) {
    throw new FuzzFinding(request, `problem status ${body.status} on a ${res.status} answer`);
  }
}

/**
 * Feeds random text to the JSON and FIPA string codecs until `ms` runs out:
 * each either parses to a message the JSON codec accepts again, or throws
 * {@linkcode AclParseError} — never anything else.
 */
export function fuzzAcl(options: FuzzOptions): FuzzReport {
  let runs = 0;
  const parsers: [string, (text: string) => unknown][] = [
    ["parseAclJson", parseAclJson],
    ["parseFipaString", parseFipaString],
  ];
  fc.assert(
    fc.property(fc.oneof(jsonLike, fipaLike), (text) => {
      runs++;
      for (const [name, parse] of parsers) {
        try {
          toAclMessage(JSON.parse(JSON.stringify(parse(text))));
        } catch (error) {
          if (!(error instanceof AclParseError)) {
            throw new Error(`${name} threw ${(error as Error).name}: ${(error as Error).message}`);
          }
        }
      }
    }),
    {
      seed: options.seed,
      numRuns: 1_000_000_000,
      interruptAfterTimeLimit: options.ms,
      markInterruptAsFailure: false,
    },
  );
  return { seed: options.seed, runs, statuses: {} };
}

export type { Route };
