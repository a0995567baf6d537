/**
 * RFC 9457 problem details: every error the API returns, with a type, a
 * human detail and a remedy, what to do next.
 */

/** A problem the API reports. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** What to do next. */
  remedy: string;
  [extension: string]: unknown;
}

/** An error that carries its own problem response (and headers such as Retry-After). */
export class ProblemError extends Error {
  constructor(readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.detail);
    this.name = "ProblemError";
  }
}

/** Builds a problem with a `type` under Caxton's namespace. */
export function problem(
  status: number,
  code: string,
  detail: string,
  remedy: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://caxton.dev/problems/${code}`,
    title: code.replaceAll("_", " "),
    status,
    detail,
    remedy,
    ...extensions,
  };
}

/** Serialises a problem as an `application/problem+json` response. */
export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
