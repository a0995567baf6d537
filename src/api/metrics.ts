/** `/metrics` in the Prometheus text exposition format (version 0.0.4). */
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { AGENT_STATES } from "../lifecycle/mod.ts";
import type { ApiDeps } from "./deps.ts";
import { renderPrometheus } from "../telemetry/mod.ts";

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

function _label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

class _Exposition {
  readonly lines: string[] = [];
  family(name: string, type: "counter" | "gauge", help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, value: number, labels: Record<string, string> = {}): this {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${_label(v)}"`).join(",");
    this.lines.push(`${name}${pairs ? `{${pairs}}` : ""} ${value}`);
    return this;
  }
}

/** Families this route renders from live state; the telemetry instruments have them too. */
const _RENDERED_HERE: ReadonlySet<string> = new Set([
  "caxton_agents",
  "caxton_agent_messages_handled_total",
  "caxton_agent_mailbox_depth",
  "caxton_agent_fuel_used_total",
  "caxton_agent_traps_total",
]);

export function metricsRoutes(deps: ApiDeps, http: HttpCounters): Hono {
  const app = new Hono();
  app.get("/metrics", (c) => {
    const agents = deps.agents.list();
    const pool = deps.pool.status();
    const m = new _Exposition();
    m.family("caxton_agents", "gauge", "Agents on this node by lifecycle state.");
    for (const state of AGENT_STATES) {
      m.sample("caxton_agents", agents.filter((a) => a.state === state).length, { state });
    }
    const perAgent = [
      ["caxton_agent_messages_handled_total", "counter", "Messages an agent handled.", "handled"],
      ["caxton_agent_messages_failed_total", "counter", "Messages an agent failed.", "failed"],
      ["caxton_agent_traps_total", "counter", "Traps in an agent's code.", "traps"],
      ["caxton_agent_messages_sent_total", "counter", "Messages an agent sent.", "sent"],
      ["caxton_agent_fuel_used_total", "counter", "Fuel an agent burned.", "fuelUsed"],
    ] as const;
    for (const [name, type, help, key] of perAgent) {
      m.family(name, type, help);
      for (const a of agents) m.sample(name, a.counters[key], { agent: a.name });
    }
    m.family("caxton_agent_mailbox_depth", "gauge", "Messages waiting for or in delivery.");
    for (const a of agents) {
      m.sample("caxton_agent_mailbox_depth", a.mailboxDepth, { agent: a.name });
    }
    m.family(
      "caxton_deliveries_total",
      "counter",
      "Deliveries routed by the main thread (one per receiver; direct ones inside a worker not counted).",
    ).sample("caxton_deliveries_total", deps.deliveries.counted);
    m.family("caxton_dead_letters_total", "counter", "Messages nobody could take.")
      .sample("caxton_dead_letters_total", deps.router.deadLetters);
    // The message log's size and what retention pruned (issue 13); bytes are estimates.
    const logSize = deps.store.messages.size();
    const pruned = deps.store.messages.pruned;
    m.family("caxton_message_log_deliveries", "gauge", "Delivery rows in the message log.")
      .sample("caxton_message_log_deliveries", logSize.deliveries);
    m.family("caxton_message_log_bytes", "gauge", "Estimated size of the message log, bytes.")
      .sample("caxton_message_log_bytes", logSize.bytes);
    m.family(
      "caxton_message_log_pruned_deliveries_total",
      "counter",
      "Finished deliveries pruned from the message log by retention.",
    ).sample("caxton_message_log_pruned_deliveries_total", pruned.deliveries);
    m.family(
      "caxton_message_log_pruned_bytes_total",
      "counter",
      "Estimated bytes pruned from the message log by retention.",
    ).sample("caxton_message_log_pruned_bytes_total", pruned.bytes);
    m.family("caxton_awaited_replies", "gauge", "Replies awaited under a reply-by deadline.")
      .sample("caxton_awaited_replies", deps.router.awaitedReplies);
    m.family("caxton_workers", "gauge", "Agent worker threads.")
      .sample("caxton_workers", pool.workers);
    m.family("caxton_stuck_workers", "gauge", "Workers abandoned by the watchdog.")
      .sample("caxton_stuck_workers", pool.stuckWorkers);
    m.family("caxton_participants", "gauge", "Outside participants registered.")
      .sample("caxton_participants", deps.participants.list().length);
    m.family("caxton_requests_pending", "gauge", "REST requests waiting for an agent's reply.")
      .sample("caxton_requests_pending", deps.broker.pending);
    m.family("caxton_http_requests_total", "counter", "HTTP requests by method, route, status.");
    for (const e of http.entries()) {
      m.sample("caxton_http_requests_total", e.count, {
        method: e.method,
        route: e.route,
        status: e.status,
      });
    }
    // Caxton's own instruments (src/telemetry) too; the families rendered above are skipped.
    const instruments = deps.metrics
      ? renderPrometheus(deps.metrics, { skip: _RENDERED_HERE })
      : "";
    return c.body(m.lines.join("\n") + "\n" + instruments, 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
  return app;
}
