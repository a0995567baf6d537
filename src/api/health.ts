/** `/health` (liveness) and `/ready` (readiness), shaped for Kubernetes probes. */
import { Hono } from "hono";
import type { ApiDeps } from "./deps.ts";

export function healthRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok", version: deps.version }));
  app.get("/ready", (c) => {
    const pool = deps.pool.status();
    const checks = {
      store: "ok",
      agentsRestored: deps.isReady() ? "ok" : "pending",
      workers: pool.workers > 0 ? "ok" : "down",
    };
    const ready = deps.isReady() && pool.workers > 0;
    // A worker abandoned by the watchdog may still hold a core: serve, but say so.
    const status = !ready ? "not_ready" : pool.stuckWorkers > 0 ? "degraded" : "ready";
    return c.json({ status, checks, pool }, ready ? 200 : 503);
  });
  return app;
}
