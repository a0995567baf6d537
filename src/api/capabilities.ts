/**
 * `GET /api/v1/capabilities`: the directory searched by name, version range,
 * attributes and cost (docs/DISCOVERY.md), each provider with its state and
 * load. Declared with `createRoute` so the OpenAPI document comes from the code.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  InvalidSearchError,
  parseAttributePairs,
  parseSearch,
  type Provider,
} from "../directory/mod.ts";
import type { ApiDeps } from "./deps.ts";
import { problem, problemResponse } from "./problem_details.ts";
import { problemResponse as problemResponseOf } from "./route_parts.ts";

const _Query = z.object({
  name: z.string().optional().openapi({
    description: "The capability's name",
    example: "translate",
  }),
  version: z.string().optional().openapi({
    description: 'A version range: "1", "^1.2", "~1.2", ">=1 <3", "*"',
    example: "^1",
  }),
  attribute: z.union([z.string(), z.array(z.string())]).optional().openapi({
    description: "An attribute the capability must have, key=value (repeat for more)",
    example: "from=en",
  }),
  maxCost: z.string().optional().openapi({ description: "Leave out providers costing more" }),
  limit: z.string().optional().openapi({ description: "At most this many providers (1-1000)" }),
});

/** One provider of a capability, as the directory returns it. */
export const ProviderSchema = z.object({
  agent: z.string(),
  name: z.string(),
  version: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  cost: z.number().optional(),
  description: z.string().optional(),
  example: z.unknown().optional(),
  state: z.string().openapi({ description: "The provider's lifecycle state" }),
  load: z.number().int().openapi({ description: "Messages waiting in its mailbox" }),
}).openapi("Provider");

const _search = createRoute({
  method: "get",
  path: "/",
  operationId: "searchCapabilities",
  tags: ["capabilities"],
  summary: "Live providers of capabilities, least loaded first",
  request: { query: _Query },
  responses: {
    200: {
      description: "The providers found",
      content: {
        "application/json": {
          schema: z.object({ providers: z.array(ProviderSchema) }),
        },
      },
    },
    400: problemResponseOf("A malformed search"),
  },
});

const _REMEDY =
  "Search as ?name=translate&version=^1&attribute=from=en&maxCost=5 (docs/DISCOVERY.md)";

/** The capability directory's routes. */
export function capabilityRoutes(deps: ApiDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (result.success) return;
      return problemResponse(problem(400, "invalid_search", result.error.message, _REMEDY));
    },
  });
  app.openapi(_search, (c) => {
    const q = c.req.valid("query");
    let providers: Provider[];
    try {
      const pairs = q.attribute === undefined ? [] : [q.attribute].flat();
      providers = deps.directory?.search(parseSearch({
        name: q.name,
        version: q.version,
        attributes: pairs.length > 0 ? parseAttributePairs(pairs) : undefined,
        maxCost: q.maxCost,
        limit: q.limit,
      })) ?? [];
    } catch (error) {
      if (!(error instanceof InvalidSearchError)) throw error;
      return problemResponse(problem(400, "invalid_search", error.message, _REMEDY)) as never;
    }
    return c.json({ providers }, 200);
  });
  return app;
}
