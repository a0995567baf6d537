/**
 * MCP over HTTP: `GET /api/v1/tools` lists the configured MCP servers, their
 * state and their tools with call counters; `/mcp` is Caxton's own MCP server
 * (Streamable HTTP, stateless).
 */
import { Hono } from "hono";
import type { ApiDeps } from "./deps.ts";
import { callerTraceparent } from "./body.ts";

/** `/api/v1/tools`. */
export function toolRoutes(deps: Pick<ApiDeps, "tools">): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const tools = deps.tools;
    const servers = tools.list();
    return c.json({
      items: servers.flatMap((s) => s.tools.map((t) => ({ server: s.name, ...t }))),
      servers: servers.map(({ tools: list, ...server }) => ({ ...server, tools: list.length })),
      inFlight: tools.inFlight,
    });
  });
  return app;
}

/** `/mcp`: POST JSON-RPC; GET and DELETE answer 405 (no sessions). */
export function mcpRoutes(deps: Pick<ApiDeps, "mcp">): Hono {
  const app = new Hono();
  app.all("/", (c) => deps.mcp.handleHttp(c.req.raw, callerTraceparent(c)));
  return app;
}
