/**
 * The pieces routes are declared with (`createRoute` from
 * `@hono/zod-openapi`): responses, path and query parameters, and the
 * sub-app every resource starts from.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { ZodType } from "zod";
import { parseTime } from "./body.ts";
import { ProblemSchema } from "./schemas.ts";
import { validationProblem } from "./validation_problem.ts";

/** A resource's sub-app: refused input answers RFC 9457 problems (400), naming the field. */
export function routes(): OpenAPIHono {
  return new OpenAPIHono({ defaultHook: validationProblem() });
}

/** A JSON response. */
export const jsonResponse = <T extends ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});

/** A problem response (application/problem+json). */
export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** A Server-Sent Events response. */
export const eventsResponse = (description: string) => ({
  description,
  content: { "text/event-stream": { schema: z.string() } },
});

/** Described, not checked here: an unknown or odd name is the domain's to refuse (404). */
export const NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,62}$";

/** `{name}` in a path. */
export const nameParams = z.object({
  name: z.string().openapi({ pattern: NAME_PATTERN }),
});

/** `{id}` in a path. */
export const idParams = z.object({ id: z.string() });

/**
 * An integer query parameter from `min` to `max`, `fallback` when absent or
 * empty; a refusal says what was expected.
 */
export function intQuery(min: number, max: number, fallback: number, description: string) {
  const error = `an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => v === "" ? undefined : v,
    z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error })
      .default(fallback),
  ).openapi({ description });
}

/** `limit`: page size. */
export const paging = { limit: intQuery(1, 1000, 100, "Page size") };

/** A time query parameter (epoch milliseconds or ISO 8601), read as epoch milliseconds. */
export const timeQuery = (description: string) =>
  z.string().optional().transform((raw, ctx) => {
    if (raw === undefined || raw === "") return undefined;
    const at = parseTime(raw);
    if (at === undefined) {
      ctx.addIssue({ code: "custom", message: "Unix epoch milliseconds or an ISO 8601 time" });
    }
    return at;
  }).openapi({ description });

/** An optional string query parameter. */
export const textQuery = (description: string) => z.string().optional().openapi({ description });

/**
 * An ACL message body, JSON or FIPA string: the ACL codec reads both (its own
 * `invalid_message` problems), so it is described here and left to the
 * handler rather than checked by a validator that knows only JSON.
 */
export const aclMessageBody = {
  required: true,
  content: {
    "application/json": { schema: { $ref: "#/components/schemas/AclMessage" } },
    "text/fipa-acl": {
      schema: z.string().openapi({ description: "FIPA ACL string (SC00070)" }),
    },
  },
};
