/**
 * Input the route's zod schemas refuse, as an RFC 9457 problem (400) that
 * names the field, the value and what was expected: the `defaultHook` of
 * every sub-app (route_parts.ts `routes()`), so routes declared with
 * `createRoute` never answer zod's own error shape.
 */
import type { z } from "@hono/zod-openapi";
import { problem, ProblemError } from "./problem_details.ts";

type _Issue = z.core.$ZodIssue;

/** The hook's view of a validation result (what `@hono/zod-validator` passes). */
interface _Result {
  success: boolean;
  target: string;
  data?: unknown;
  error?: { issues: _Issue[] };
}

/**
 * Builds the hook; it throws the problem, which the app's error handler answers. Query and path parameters answer `bad_query`; bodies
 * answer `codeFor(field)` (default `bad_request`), so a route can keep the
 * problem type its clients know for a given field.
 */
export function validationProblem(
  codeFor: (field: string) => string = () => "bad_request",
): (result: _Result) => undefined {
  return (result) => {
    if (result.success) return undefined;
    const issue = result.error!.issues[0]!;
    const field = _fieldOf(issue);
    if (result.target === "query" || result.target === "param") {
      const raw = (result.data as Record<string, unknown> | undefined)?.[field];
      throw new ProblemError(
        problem(
          400,
          "bad_query",
          `Cannot use ${field}=${JSON.stringify(raw)}: expected ${issue.message}`,
          `Correct ${field} and send again`,
          { field },
        ),
      );
    }
    const detail = issue.code === "unrecognized_keys"
      ? `Cannot set ${issue.keys.map((k) => `"${k}"`).join(", ")} here`
      : `${field === "" ? "the body" : field}${
        /^[a-z]/.test(issue.message) ? " " : ": "
      }${issue.message}`;
    throw new ProblemError(
      problem(
        400,
        codeFor(field),
        `Cannot read the request body: ${detail}`,
        `Correct ${
          field === "" ? "the body" : field
        } and send again (the schema is in /api/v1/openapi.json)`,
        { field },
      ),
    );
  };
}

function _fieldOf(issue: _Issue): string {
  return issue.path.map(String).join(".");
}
