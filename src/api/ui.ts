/**
 * `/ui`: the dashboard's static files, bundled by scripts/build_ui.ts into
 * build/ui and embedded by `deno compile`. They hold no data: the page reads
 * everything through `/api/v1` with the user's bearer key, so serving them
 * needs none.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { routes } from "./route_parts.ts";
import { problem, problemResponse } from "./problem_details.ts";

// Found from this module, never the working directory: `caxton serve` runs from anywhere.
const _DIR = new URL("../../build/ui/", import.meta.url);

/** Every file the dashboard is served from, with its media type. */
export const UI_FILE_TYPES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "tail_worker.js": "text/javascript; charset=utf-8",
};

// The page loads only its own files and talks only to this origin.
const _HEADERS = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

const _file = (description: string) => ({
  description,
  content: { "text/html": { schema: z.string() }, "text/javascript": { schema: z.string() } },
});

const _page = createRoute({
  method: "get",
  path: "/",
  operationId: "dashboard",
  tags: ["probes"],
  summary: "The web dashboard (docs/UI.md)",
  responses: { 200: _file("The dashboard's page") },
});

const _asset = createRoute({
  method: "get",
  path: "/{file}",
  operationId: "dashboardFile",
  tags: ["probes"],
  summary: "A file of the web dashboard",
  request: { params: z.object({ file: z.string() }) },
  responses: { 200: _file("The file"), 503: _file("The dashboard is not built") },
});

export function uiRoutes(): OpenAPIHono {
  const app = routes();
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const serve = async (file: string) => {
    const type = UI_FILE_TYPES[file];
    if (type === undefined) {
      return problemResponse(
        problem(404, "not_found", `The dashboard has no file "${file}"`, "Open /ui"),
      );
    }
    let bytes = files.get(file);
    if (!bytes) {
      try {
        bytes = await Deno.readFile(new URL(file, _DIR));
      } catch {
        return problemResponse(
          problem(
            503,
            "ui_not_built",
            "The dashboard's files are not built in this checkout",
            "Run `deno task build:ui` (the start, test and compile tasks run it), then reload",
          ),
        );
      }
      files.set(file, bytes);
    }
    return new Response(bytes, { headers: { "content-type": type, ..._HEADERS } });
  };
  app.openapi(_page, () => serve("index.html") as never);
  app.openapi(_asset, (c) => serve(c.req.param("file")) as never);
  // `/ui/` is the page too (the pattern lets the name be empty).
  app.get("/:file{.*}", (c) => serve(c.req.param("file") || "index.html"));
  return app;
}
