/**
 * MCP over HTTP: `GET /api/v1/tools` lists the configured MCP servers, their
 * state and their tools with call counters; `/mcp` is Caxton's own MCP server
 * (Streamable HTTP, stateless).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jsonResponse, routes } from "./route_parts.ts";
import { ToolSchema, ToolServerSchema } from "./schemas.ts";
import type { ApiDeps } from "./deps.ts";
import { callerTraceparent } from "./body.ts";

const _list = createRoute({
  method: "get",
  path: "/",
  operationId: "listTools",
  tags: ["tools"],
  summary: "MCP tools agents may call, with call counters",
  responses: {
    200: jsonResponse(
      "Every tool of every configured MCP server, and the servers' state",
      z.object({
        items: z.array(ToolSchema),
        servers: z.array(ToolServerSchema),
        inFlight: z.number().int(),
      }).partial(),
    ),
  },
});

/** `/api/v1/tools`. */
export function toolRoutes(deps: Pick<ApiDeps, "tools">): OpenAPIHono {
  const app = routes();
  app.openapi(_list, (c) => {
    const tools = deps.tools;
    const servers = tools.list();
    return c.json({
      items: servers.flatMap((s) => s.tools.map((t) => ({ server: s.name, ...t }))),
      servers: servers.map(({ tools: list, ...server }) => ({ ...server, tools: list.length })),
      inFlight: tools.inFlight,
    }, 200);
  });
  return app;
}

/** `/mcp`: POST JSON-RPC; GET and DELETE answer 405 (no sessions). */
export function mcpRoutes(deps: Pick<ApiDeps, "mcp">): OpenAPIHono {
  // JSON-RPC, not REST: served, not in the OpenAPI document.
  const app = routes();
  app.all("/", (c) => deps.mcp.handleHttp(c.req.raw, callerTraceparent(c)));
  return app;
}
