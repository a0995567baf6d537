/** The RFC 9457 problem as a zod schema, for routes declared with `createRoute`. */
import { z } from "@hono/zod-openapi";

const _Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  remedy: z.string(),
}).openapi("ProblemDetails");

/** A problem response of a `createRoute` declaration. */
export function problemResponseOf(description: string) {
  return { description, content: { "application/problem+json": { schema: _Problem } } };
}
