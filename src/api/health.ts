/** `/health` (liveness) and `/ready` (readiness), shaped for Kubernetes probes. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { jsonResponse, routes } from "./route_parts.ts";
import { HealthSchema, ReadinessSchema } from "./schemas.ts";
import type { ApiDeps } from "./deps.ts";

const _health = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["probes"],
  summary: "Liveness",
  responses: { 200: jsonResponse("The process answers", HealthSchema) },
});

const _ready = createRoute({
  method: "get",
  path: "/ready",
  operationId: "ready",
  tags: ["probes"],
  summary: "Readiness: store open, agents restored, workers up",
  responses: {
    200: jsonResponse("Ready (or degraded)", ReadinessSchema),
    503: jsonResponse("Not ready", ReadinessSchema),
  },
});

export function healthRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  // Liveness: the process answers. Restarting it would not fix anything else.
  app.openapi(_health, (c) => c.json({ status: "ok" as const, version: deps.version }, 200));
  app.openapi(_ready, (c) => {
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
    const lag = deps.saturation?.eventLoopLag?.() ?? null; // issue 13: the main thread lags
    if (lag) checks.eventLoop = `lagging ${lag.lagMs} ms for ${lag.forMs} ms`;
    const status = !ready
      ? "not_ready"
      : pool.stuckWorkers > 0 || saturated.length > 0 || clusterDown || lag
      ? "degraded"
      : "ready";
    // Diagnostics (issue 17): an open breaker does not make the node unready; it is shown.
    const breakers = deps.breakers?.views() ?? [];
    const byState = deps.agents.countByState();
    return c.json({
      breakers,
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
