/**
 * `/api/v1/agents/{name}/state`: an agent's persisted key-value state, read
 * only. Values are bytes; they are shown as UTF-8 text when they decode as
 * such (and hold no control characters but tab and line breaks), else as
 * base64, and `encoding` says which.
 */
import { Buffer } from "node:buffer";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { problem, ProblemError } from "./problem_details.ts";
import { jsonResponse, nameParams, paging, routes, textQuery } from "./route_parts.ts";
import { StateEntrySchema } from "./schemas.ts";
import type { ApiDeps } from "./deps.ts";

/** One state entry as the API shows it. */
export interface PublicStateEntry {
  key: string;
  value: string;
  encoding: "utf8" | "base64";
  /** Size of the stored value in bytes. */
  bytes: number;
}

const _utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Control characters other than tab and line breaks (a NUL in a counter's bytes) are
// not text anyone can read back from JSON: such values go as base64 too.
// deno-lint-ignore no-control-regex
const _CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** A stored value in its most readable faithful form: UTF-8 text, else base64. */
export function publicStateEntry(key: string, value: Uint8Array): PublicStateEntry {
  try {
    const text = _utf8.decode(value);
    if (_CONTROL.test(text)) throw new TypeError("not text");
    return { key, value: text, encoding: "utf8", bytes: value.length };
  } catch {
    return {
      key,
      value: Buffer.from(value).toString("base64"),
      encoding: "base64",
      bytes: value.length,
    };
  }
}

const _list = createRoute({
  method: "get",
  path: "/{name}/state",
  operationId: "listAgentState",
  tags: ["agents"],
  summary: "An agent's stored state, in key order",
  request: {
    params: nameParams,
    query: z.object({
      prefix: textQuery("Only keys starting with this"),
      after: textQuery("Keys after this one (paging cursor)"),
      ...paging,
    }),
  },
  responses: {
    200: jsonResponse(
      "A page of state entries",
      z.object({
        agent: z.string(),
        items: z.array(StateEntrySchema),
        next: z.string().nullable().openapi({
          description: "The last key of the page when more follow: pass it as `after`",
        }),
      }),
    ),
  },
});

const _get = createRoute({
  method: "get",
  path: "/{name}/state/{key}",
  operationId: "getAgentState",
  tags: ["agents"],
  summary: "One key of an agent's stored state",
  request: {
    params: nameParams.extend({
      key: z.string().openapi({ description: "The key, percent-encoded (it may contain /)" }),
    }),
  },
  responses: { 200: jsonResponse("The entry", StateEntrySchema) },
});

export function stateRoutes(deps: Pick<ApiDeps, "agents" | "store">): OpenAPIHono {
  const app = routes();
  app.openapi(_list, (c) => {
    const query = c.req.valid("query");
    const agent = deps.agents.get(c.req.param("name"));
    const page = deps.store.state.page(agent.id, {
      prefix: query.prefix ?? "",
      after: query.after ?? "",
      limit: query.limit,
    });
    return c.json({
      agent: agent.name,
      items: page.items.map((e) => publicStateEntry(e.key, e.value)),
      next: page.next,
    }, 200);
  });
  // A key may hold "/": routed by hand on `{key}` of any length, documented as declared.
  app.openAPIRegistry.registerPath(_get);
  app.get("/:name/state/:key{.+}", (c) => {
    const agent = deps.agents.get(c.req.param("name"));
    const key = c.req.param("key");
    const value = deps.store.state.get(agent.id, key);
    if (value === undefined) {
      throw new ProblemError(
        problem(
          404,
          "state_key_not_found",
          `Cannot find key "${key}" in the state of agent "${agent.name}"`,
          `List its keys with GET /api/v1/agents/${agent.name}/state`,
          { agent: agent.name, key },
        ),
      );
    }
    return c.json(publicStateEntry(key, value));
  });
  return app;
}
