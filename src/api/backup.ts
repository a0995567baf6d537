/**
 * `GET /api/v1/backup`: a consistent snapshot of the live database, streamed
 * (SQLite's `VACUUM INTO` copies inside a read transaction while the node
 * keeps writing). `caxton backup FILE` saves it; restoring is done offline
 * with `caxton restore`, the node stopped.
 */
import { join } from "node:path";
import { Hono } from "hono";
import type { ApiDeps } from "./deps.ts";

export function backupRoutes(deps: Pick<ApiDeps, "store">): Hono {
  const app = new Hono();
  app.get("/", async () => {
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
