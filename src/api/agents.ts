/** `/api/v1/agents`: deploy (raw `application/wasm`), list, get, start, stop, remove. */
import { Hono } from "hono";
import type { Isolation } from "../runtime/mod.ts";
import { problem, ProblemError } from "./problem.ts";
import type { ApiDeps } from "./deps.ts";

function _limitsFromQuery(query: Record<string, string>): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith("limits.")) continue;
    limits[key.slice("limits.".length)] = Number(value);
  }
  return limits;
}

function _toolLimitsFromQuery(query: Record<string, string>) {
  const limits: Record<string, number> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith("toolLimits.")) limits[key.slice("toolLimits.".length)] = Number(value);
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

export function agentRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json({ items: deps.agents.list().map(_public) }));
  app.get("/:name", (c) => c.json(_public(deps.agents.get(c.req.param("name")))));
  app.put("/:name", async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!type.startsWith("application/wasm")) {
      throw new ProblemError(
        problem(
          415,
          "unsupported_media_type",
          `Cannot deploy from content type "${type}"`,
          "Send the module bytes with Content-Type: application/wasm",
        ),
      );
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const query = c.req.query();
    const view = await deps.agents.deploy(c.req.param("name"), bytes, {
      limits: _limitsFromQuery(query),
      isolation: query.isolation as Isolation | undefined,
      start: query.start !== "false",
      tools: query.tools === undefined ? undefined : query.tools.split(",").filter((t) => t),
      toolLimits: _toolLimitsFromQuery(query),
    });
    return c.json(_public(view), 201);
  });
  app.post(
    "/:name/start",
    async (c) => c.json(_public(await deps.agents.start(c.req.param("name")))),
  );
  app.post(
    "/:name/stop",
    async (c) => c.json(_public(await deps.agents.stop(c.req.param("name")))),
  );
  app.delete("/:name", async (c) => {
    await deps.agents.remove(c.req.param("name"));
    return c.body(null, 204);
  });
  return app;
}

function _public(view: ReturnType<ApiDeps["agents"]["get"]>) {
  const { id: _id, ...rest } = view;
  return rest;
}
