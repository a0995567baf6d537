/**
 * OpenAPI paths of the dashboard: its static files at `/ui`, and the routes
 * it added to `/api/v1`, whose document is generated from their zod
 * definitions (dashboard.ts) and given the problems every route may answer.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { DASHBOARD_ROUTES } from "./dashboard.ts";
import { op } from "./openapi_parts.ts";

const _html = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" } } },
});

function _generated(): { paths: Record<string, unknown>; schemas: Record<string, unknown> } {
  const app = new OpenAPIHono();
  for (const route of DASHBOARD_ROUTES) app.openAPIRegistry.registerPath(route);
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "", version: "" } });
  const paths: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const ops: Record<string, unknown> = {};
    for (
      const [method, operation] of Object.entries(item as Record<string, Record<string, unknown>>)
    ) {
      const { operationId, tags, summary, responses, ...extra } = operation;
      ops[method] = op(
        String(operationId),
        String((tags as string[])[0]),
        String(summary),
        responses as Record<string, unknown>,
        extra,
      );
    }
    paths[`/api/v1${path}`] = ops;
  }
  return { paths, schemas: (doc.components?.schemas ?? {}) as Record<string, unknown> };
}

const _doc = _generated();

/** Schemas the generated paths refer to. */
export const UI_SCHEMAS: Record<string, unknown> = _doc.schemas;

/** `/ui`, `/ui/{file}` and the dashboard's API routes. */
export const UI_PATHS: Record<string, unknown> = {
  "/ui": {
    get: op("dashboard", "dashboard", "The web dashboard (docs/UI.md)", {
      "200": _html("The dashboard's page"),
    }),
  },
  "/ui/{file}": {
    parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
    get: op("dashboardFile", "dashboard", "One of the dashboard's bundled files", {
      "200": _html("index.html, app.js, app.css or tail_worker.js"),
      "503": _html("The dashboard is not built in this checkout"),
    }),
  },
  ..._doc.paths,
};
