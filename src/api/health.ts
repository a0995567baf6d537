/** `/health` (liveness) and `/ready` (readiness), shaped for Kubernetes probes. */
import { Hono } from "hono";
import type { ApiDeps } from "./deps.ts";

export function healthRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  // Liveness: the process answers. Restarting it would not fix anything else.
  app.get("/health", (c) => c.json({ status: "ok", version: deps.version }));
  app.get("/ready", (c) => {
    const pool = deps.pool.status();
    let store = "ok";
    try {
      deps.store.messages.lastId();
    } catch (error) {
      store = `error: ${(error as Error).message}`;
    }
    const checks: Record<string, string> = {
      store,
      agentsRestored: deps.isReady() ? "ok" : "pending",
      workers: pool.workers > 0 ? "ok" : "down",
    };
    // Cluster: NATS unreachable is degraded, not down; local traffic keeps flowing.
    const clusterDown = deps.cluster ? !deps.cluster.connected : false;
    if (deps.cluster) checks.cluster = clusterDown ? "nats_unreachable" : "ok";
    const ready = deps.isReady() && pool.workers > 0 && store === "ok" && !deps.closing.aborted;
    // A worker abandoned by the watchdog may still hold a core, and a saturated
    // one makes its agents' callers wait: serve, but say so.
    const saturated = deps.saturation?.saturated() ?? [];
    const status = !ready
      ? "not_ready"
      : pool.stuckWorkers > 0 || saturated.length > 0 || clusterDown
      ? "degraded"
      : "ready";
    const agents = deps.agents.list();
    // Diagnostics (issue 17): an open breaker does not make the node unready; it is shown.
    const breakers = deps.breakers?.views() ?? [];
    return c.json({
      breakers,
      status,
      checks,
      pool,
      saturated,
      agents: {
        total: agents.length,
        running: agents.filter((a) => a.state === "running").length,
        failed: agents.filter((a) => a.state === "failed").length,
      },
    }, ready ? 200 : 503);
  });
  return app;
}
