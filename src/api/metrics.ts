/** `/metrics` in the Prometheus text exposition format (version 0.0.4). */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { routes } from "./route_parts.ts";
import type { ApiDeps } from "./deps.ts";
import { type MetricValue, PROMETHEUS_CONTENT_TYPE, renderFamilies } from "../telemetry/mod.ts";

/** Counts HTTP requests by method, route and status. */
export class HttpCounters {
  readonly #counts = new Map<string, number>();

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      await next();
      const key = `${c.req.method}\u0000${c.req.routePath}\u0000${c.res.status}`;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    };
  }

  *entries(): Iterable<{ method: string; route: string; status: string; count: number }> {
    for (const [key, count] of this.#counts) {
      const [method, route, status] = key.split("\u0000") as [string, string, string];
      yield { method, route, status, count };
    }
  }
}

/** Collects the families read from live state, for the telemetry renderer. */
class _Families {
  readonly list: MetricValue[] = [];
  #current: MetricValue & { type: "counter" | "gauge" } | undefined;
  family(name: string, type: "counter" | "gauge", help: string): this {
    this.#current = { name, help, type, samples: [] };
    this.list.push(this.#current);
    return this;
  }
  /** A sample of the family opened last. */
  sample(value: number, labels: Record<string, string> = {}): this {
    this.#current!.samples.push({ labels, value });
    return this;
  }
}

const _BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

const _metrics = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  tags: ["probes"],
  summary: "Prometheus metrics",
  responses: {
    200: {
      description: "Text exposition format 0.0.4",
      content: { "text/plain": { schema: z.string() } },
    },
  },
});

export function metricsRoutes(deps: ApiDeps, http: HttpCounters): OpenAPIHono {
  const app = routes();
  app.openapi(_metrics, (c) => {
    const pool = deps.pool.status();
    const m = new _Families();
    // Agents: by state, module and in total, per agent only for a few (issue 21), from the
    // instruments (src/telemetry), so /metrics and OTLP say the same and stay small.
    m.family(
      "caxton_deliveries_total",
      "counter",
      "Deliveries routed by the main thread (one per receiver; direct ones inside a worker not counted).",
    ).sample(deps.deliveries.counted);
    m.family("caxton_dead_letters_total", "counter", "Messages nobody could take.")
      .sample(deps.router.deadLetters);
    // The message log's size and what retention pruned (issue 13); bytes are estimates.
    const logSize = deps.store.messages.size();
    const pruned = deps.store.messages.pruned;
    m.family("caxton_message_log_deliveries", "gauge", "Delivery rows in the message log.")
      .sample(logSize.deliveries);
    m.family("caxton_message_log_bytes", "gauge", "Estimated size of the message log, bytes.")
      .sample(logSize.bytes);
    m.family(
      "caxton_message_log_pruned_deliveries_total",
      "counter",
      "Finished deliveries pruned from the message log by retention.",
    ).sample(pruned.deliveries);
    m.family(
      "caxton_message_log_pruned_bytes_total",
      "counter",
      "Estimated bytes pruned from the message log by retention.",
    ).sample(pruned.bytes);
    m.family("caxton_awaited_replies", "gauge", "Replies awaited under a reply-by deadline.")
      .sample(deps.router.awaitedReplies);
    m.family("caxton_workers", "gauge", "Agent worker threads.").sample(pool.workers);
    m.family("caxton_stuck_workers", "gauge", "Workers abandoned by the watchdog.")
      .sample(pool.stuckWorkers);
    m.family("caxton_participants", "gauge", "Outside participants registered.")
      .sample(deps.participants.list().length);
    m.family("caxton_requests_pending", "gauge", "REST requests waiting for an agent's reply.")
      .sample(deps.broker.pending);
    // Circuit breakers (issue 17): 0 closed, 1 half-open, 2 open.
    const breakers = deps.breakers?.views() ?? [];
    m.family(
      "caxton_circuit_state",
      "gauge",
      "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
    );
    for (const b of breakers) m.sample(_BREAKER_STATE[b.state], { breaker: b.name });
    m.family(
      "caxton_circuit_rejected_total",
      "counter",
      "Calls failed at once by an open breaker.",
    );
    for (const b of breakers) m.sample(b.rejected, { breaker: b.name });
    m.family("caxton_http_requests_total", "counter", "HTTP requests by method, route, status.");
    for (const e of http.entries()) {
      m.sample(e.count, { method: e.method, route: e.route, status: e.status });
    }
    // Caxton's own instruments (src/telemetry) too.
    const instruments = deps.metrics?.read() ?? [];
    return c.text(renderFamilies([...m.list, ...instruments]), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
    });
  });
  return app;
}
