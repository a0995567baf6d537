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
    const byState = deps.agents.countByState();
    return c.json({
      status,
      checks,
      pool,
      saturated,
      agents: {
        total: Object.values(byState).reduce((sum, n) => sum + n, 0),
        running: byState.running ?? 0,
        failed: byState.failed ?? 0,
      },
    }, ready ? 200 : 503);
  });
  return app;
}
