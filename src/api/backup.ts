/**
 * `GET /api/v1/backup`: a consistent snapshot of the live database, streamed
 * (SQLite's `VACUUM INTO` copies inside a read transaction while the node
 * keeps writing). `caxton backup FILE` saves it; restoring is done offline
 * with `caxton restore`, the node stopped.
 */
import { join } from "node:path";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { problemResponse, routes } from "./route_parts.ts";
import type { ApiDeps } from "./deps.ts";

const _backup = createRoute({
  method: "get",
  path: "/",
  operationId: "backup",
  tags: ["probes"],
  summary: "A consistent copy of the live database (SQLite file)",
  responses: {
    200: {
      description: "The database; restore it with `caxton restore FILE`, the node stopped",
      content: { "application/vnd.sqlite3": { schema: z.string().openapi({ format: "binary" }) } },
    },
    500: problemResponse("The copy could not be made"),
  },
});

export function backupRoutes(deps: Pick<ApiDeps, "store">): OpenAPIHono {
  const app = routes();
  app.openapi(_backup, async () => {
    const dir = await Deno.makeTempDir({ prefix: "caxton-backup-" });
    try {
      const path = join(dir, "caxton.db");
      deps.store.backup(path);
      const { size } = await Deno.stat(path);
      const file = await Deno.open(path);
      // The open file outlives its name: nothing is left behind once the response ends.
      return new Response(file.readable, {
        headers: {
          "content-type": "application/vnd.sqlite3",
          "content-length": String(size),
          "content-disposition": 'attachment; filename="caxton-backup.db"',
        },
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  return app;
}
