/**
 * What the dashboard (`/ui`) reads that the rest of the API did not say:
 * `GET /api/v1/stats` (a snapshot of the node's counters and delivery
 * latency histogram; a client takes rates and percentiles between two),
 * `GET /api/v1/agents/{name}/logs` (the lines an agent logged lately) and
 * `GET /api/v1/conversations/{id}/check` (the protocol checker's verdict and
 * each message in the FIPA string encoding).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type AclMessage, checkConversation, printFipaString } from "../acl/mod.ts";
import { METRIC } from "../telemetry/mod.ts";
import { routes } from "./route_parts.ts";
import { loggedConversation } from "./messages.ts";
import type { ApiDeps } from "./deps.ts";

const _Histogram = z.object({
  buckets: z.array(z.number()).describe("Upper bounds in seconds; the last count is +Inf"),
  counts: z.array(z.number().int()),
  count: z.number().int(),
  sum: z.number().describe("Seconds"),
});

const _Stats = z.object({
  at: z.string().describe("When the snapshot was taken (ISO 8601)"),
  agents: z.record(z.string(), z.number().int()).describe("Agents by lifecycle state"),
  messages: z.object({
    deliveries: z.number().int().describe("Deliveries routed by the main thread"),
    handled: z.number().int(),
    failed: z.number().int(),
    sent: z.number().int().describe("Messages agents sent"),
    deadLetters: z.number().int(),
  }),
  traps: z.number().int(),
  fuelUsed: z.number(),
  deliveryLatency: _Histogram.describe(
    "From routing to the agent's outcome, since the start (recorded when tracing is on)",
  ),
  recentLatency: z.object({
    windowMs: z.number().int(),
    deliveries: z.number().int().describe("Finished deliveries sampled (at most 2,000)"),
    p50Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
  }).describe("From acceptance to the last status change, of deliveries the log saw lately"),
}).openapi("Stats");

const _LogLine = z.object({
  seq: z.number().int(),
  at: z.string(),
  level: z.enum(["trace", "debug", "info", "warn", "error"]),
  text: z.string(),
  traceId: z.string().nullable(),
}).openapi("AgentLogLine");

const _Check = z.object({
  id: z.string(),
  ok: z.boolean(),
  protocol: z.string().nullable(),
  state: z.enum(["open", "completed", "failed"]),
  messages: z.array(z.object({
    deliveries: z.array(z.number().int()).describe("Ids of this message's deliveries in the log"),
    fipa: z.string().describe("The message in the FIPA ACL string encoding (SC00070)"),
  })).describe("Distinct messages in order (one message to two receivers is one)"),
  violations: z.array(z.object({
    index: z.number().int().describe("Index into messages"),
    reason: z.string(),
  })),
}).openapi("ConversationCheck");

const _problemJson = {
  "application/problem+json": { schema: z.object({ type: z.string(), detail: z.string() }) },
};

const _statsRoute = createRoute({
  method: "get",
  path: "/stats",
  operationId: "getStats",
  tags: ["probes"],
  summary: "Counters and the delivery latency histogram, now (for the dashboard)",
  responses: {
    200: { description: "A snapshot", content: { "application/json": { schema: _Stats } } },
  },
});

const _logsRoute = createRoute({
  method: "get",
  path: "/agents/{name}/logs",
  operationId: "getAgentLogs",
  tags: ["agents"],
  summary: "The lines an agent logged lately (the last 200 kept in memory)",
  request: {
    params: z.object({ name: z.string() }),
    query: z.object({
      after: z.coerce.number().int().min(0).optional().describe("Only lines after this seq"),
    }),
  },
  responses: {
    200: {
      description: "Lines, oldest first",
      content: {
        "application/json": {
          schema: z.object({ agent: z.string(), items: z.array(_LogLine) }),
        },
      },
    },
    404: { description: "No such agent", content: _problemJson },
  },
});

const _checkRoute = createRoute({
  method: "get",
  path: "/conversations/{id}/check",
  operationId: "checkConversation",
  tags: ["messages"],
  summary: "The protocol checker's verdict on a logged conversation, and its FIPA strings",
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: { description: "The verdict", content: { "application/json": { schema: _Check } } },
    404: { description: "No logged message in this conversation", content: _problemJson },
  },
});

/** Mounted at `/api/v1`. */
export function dashboardRoutes(deps: ApiDeps): OpenAPIHono {
  // A parameter zod refuses is a 400 problem naming it, as on every other route.
  const app = routes();
  app.openapi(_statsRoute, (c) => c.json(_stats(deps), 200));
  app.openapi(_logsRoute, (c) => {
    const { name } = c.req.valid("param");
    const { after } = c.req.valid("query");
    deps.agents.get(name); // 404 agent_not_found
    return c.json({ agent: name, items: deps.agentLogs?.of(name, after) ?? [] }, 200);
  });
  app.openapi(_checkRoute, (c) => c.json(_check(deps, c.req.valid("param").id), 200));
  return app;
}

function _stats(deps: ApiDeps): z.infer<typeof _Stats> {
  // Counts, not every agent's view: a node may hold 100,000 (issue 21).
  const { byState, totals: total } = deps.agents.census();
  const latency = deps.metrics?.read().find((m) => m.name === METRIC.deliveryLatency);
  const histogram = latency?.type === "histogram" ? latency.samples[0]?.value : undefined;
  return {
    at: new Date().toISOString(),
    agents: byState,
    messages: {
      deliveries: deps.deliveries.counted,
      handled: total.handled,
      failed: total.failed,
      sent: total.sent,
      deadLetters: deps.router.deadLetters,
    },
    traps: total.traps,
    fuelUsed: total.fuelUsed,
    deliveryLatency: histogram
      ? {
        buckets: [...histogram.buckets],
        counts: [...histogram.counts],
        count: histogram.count,
        sum: histogram.sum,
      }
      : { buckets: [], counts: [0], count: 0, sum: 0 },
    recentLatency: _recentLatency(deps, Date.now()),
  };
}

const _WINDOW_MS = 5_000;

// The log times every delivery whether or not tracing is on (the histogram needs tracing):
// a bounded sample of the last seconds' finished deliveries.
function _recentLatency(deps: ApiDeps, now: number): z.infer<typeof _Stats>["recentLatency"] {
  const took = deps.store.messages.between(now - _WINDOW_MS, now, { limit: 2000 })
    .filter((r) => r.status === "handled" || r.status === "failed")
    .map((r) => r.updatedAt - r.acceptedAt)
    .sort((a, b) => a - b);
  const at = (q: number) => took.length === 0 ? null : took[Math.ceil(q * took.length) - 1]!;
  return { windowMs: _WINDOW_MS, deliveries: took.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function _check(deps: ApiDeps, id: string): z.infer<typeof _Check> {
  const rows = loggedConversation(deps, id);
  // One row per delivery: a message to several receivers is one message to the checker.
  const messages: { message: AclMessage; at: number; deliveries: number[] }[] = [];
  const seen = new Map<string, (typeof messages)[number]>();
  for (const row of rows) {
    const key = `${row.acceptedAt}\u0000${JSON.stringify(row.message)}`;
    const known = seen.get(key);
    if (known) known.deliveries.push(row.id);
    else {
      const entry = { message: row.message, at: row.acceptedAt, deliveries: [row.id] };
      seen.set(key, entry);
      messages.push(entry);
    }
  }
  const verdict = checkConversation(messages.map((m) => m.message), {
    sentAt: (_m, i) => messages[i]?.at,
  });
  return {
    id,
    ok: verdict.ok,
    protocol: verdict.protocol,
    state: verdict.state,
    messages: messages.map((m) => ({
      deliveries: m.deliveries,
      fipa: printFipaString(m.message),
    })),
    violations: verdict.violations.map((v) => ({ index: v.index, reason: v.reason })),
  };
}
