/**
 * The HTTP API as a factory: one Hono app, one sub-app per resource, one
 * error handler that turns domain errors into RFC 9457 problems.
 *
 * The OpenAPI document is generated from the routes: a sub-app built with
 * `routes()` (route_parts.ts) whose routes are declared with `createRoute`
 * and `app.openapi(route, handler)` is in it as soon as it is mounted below
 * with `app.route(prefix, subApp)`.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { methodNotAllowed } from "hono/method-not-allowed";
import { agentRoutes } from "./agents.ts";
import { agentBulkRoutes } from "./agents_bulk.ts";
import { backupRoutes } from "./backup.ts";
import { capabilityRoutes } from "./capabilities.ts";
import { timerRoutes } from "./timers.ts";
import { deploymentRoutes } from "./deployment_routes.ts";
import { bearerToken } from "./auth.ts";
import { declaredBodyLimit } from "./body_limit.ts";
import { accessControl } from "./access.ts";
import { securityRoutes } from "./security.ts";
import { clusterRoutes } from "./cluster.ts";
import { forwardToOwner, sealedCaller } from "./cluster_forward.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { healthRoutes } from "./health.ts";
import { mcpRoutes, toolRoutes } from "./tools.ts";
import { conversationRoutes, messageRoutes } from "./messages.ts";
import { HttpCounters, metricsRoutes } from "./metrics.ts";
import { describeApi } from "./openapi.ts";
import { participantRoutes } from "./participants.ts";
import { problem, problemResponse } from "./problem_details.ts";
import { toProblem } from "./problem_mapping.ts";
import { jsonResponse, routes } from "./route_parts.ts";
import { jobRoutes, requestRoutes } from "./services.ts";
import { stateRoutes } from "./state.ts";
import { uiRoutes } from "./ui.ts";
import type { ApiDeps, ApiOptions } from "./deps.ts";
import { requestTelemetry } from "../telemetry/mod.ts";

const _document = createRoute({
  method: "get",
  path: "/api/v1/openapi.json",
  operationId: "openApi",
  tags: ["probes"],
  summary: "This document",
  responses: { 200: jsonResponse("OpenAPI 3.1", z.looseObject({})) },
});

/** Builds the HTTP app over a node's parts. */
export function createApp(deps: ApiDeps, options: ApiOptions = {}): OpenAPIHono {
  const { corsOrigins = [], maxRequestBytes = 16 * 1024 * 1024, apiToken = null } = options;
  const app = routes();
  // First, so the request span and duration cover every other middleware.
  if (deps.metrics) app.use("*", requestTelemetry(deps.metrics, deps.telemetry ?? null));
  const http = new HttpCounters();
  app.use(http.middleware());
  if (corsOrigins.length > 0) {
    app.use(cors({
      origin: corsOrigins.includes("*") ? "*" : corsOrigins,
      allowHeaders: ["authorization", "content-type", "accept"],
      exposeHeaders: ["location", "retry-after", "ratelimit", "ratelimit-policy"],
      maxAge: 600,
    }));
  }
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      problemResponse(
        problem(
          405,
          "method_not_allowed",
          `${c.req.method} is not allowed on ${c.req.path}`,
          `Use ${methods.join(", ")} (see /api/v1/openapi.json)`,
        ),
        { allow: methods.join(", ") },
      ),
  }));
  app.use(
    "/api/*",
    declaredBodyLimit({
      maxSize: maxRequestBytes,
      onError: () =>
        problemResponse(
          problem(
            413,
            "payload_too_large",
            `The request body is over the limit of ${maxRequestBytes} bytes`,
            "Send less, or raise maxRequestBytes (CAXTON_MAX_REQUEST_BYTES) on the server",
            { limit: maxRequestBytes },
          ),
        ),
    }),
  );
  // Issue 17: every route is guarded by the route table (src/auth/route_table.ts).
  if (deps.security) {
    // Cluster: a request another node forwarded carries its caller sealed (cluster_forward.ts).
    const sealed = deps.cluster ? sealedCaller(deps.cluster, deps.security.required) : undefined;
    app.use("*", accessControl(app, deps.security, sealed));
  } else if (apiToken !== null) app.use("/api/v1/*", bearerToken(apiToken));
  // Caxton's MCP server drives the agents as the REST API does: the same token guards it.
  if (!deps.security && apiToken !== null) app.use("/mcp", bearerToken(apiToken));
  app.route("/", healthRoutes(deps));
  app.route("/", metricsRoutes(deps, http));
  app.openapi(_document, (c) => c.json(describeApi(app, deps.version), 200));
  // Cluster: operations on an agent of another node go to that node (no-op standalone).
  app.use("/api/v1/agents/:name", forwardToOwner(deps));
  app.use("/api/v1/agents/:name/*", forwardToOwner(deps));
  app.route("/api/v1/agents", agentRoutes(deps));
  app.route("/api/v1/agents", agentBulkRoutes(deps));
  app.route("/api/v1/agents", requestRoutes(deps));
  app.route("/api/v1/agents", stateRoutes(deps));
  app.route("/api/v1/agents", timerRoutes(deps));
  app.route("/api/v1/agents", deploymentRoutes(deps));
  app.route("/api/v1/backup", backupRoutes(deps));
  app.route("/api/v1/messages", messageRoutes(deps));
  app.route("/api/v1/conversations", conversationRoutes(deps));
  app.route("/api/v1/participants", participantRoutes(deps));
  app.route("/api/v1/jobs", jobRoutes(deps));
  app.route("/api/v1/tools", toolRoutes(deps));
  app.route("/mcp", mcpRoutes(deps));
  app.route("/api/v1/cluster", clusterRoutes(deps));
  app.route("/api/v1/capabilities", capabilityRoutes(deps));
  app.route("/api/v1", securityRoutes(deps));
  app.route("/api/v1", dashboardRoutes(deps));
  app.route("/ui", uiRoutes());
  app.notFound((c) =>
    problemResponse(
      problem(
        404,
        "not_found",
        `No route for ${c.req.method} ${c.req.path}`,
        "See the routes in /api/v1/openapi.json or docs/API.md",
      ),
    )
  );
  app.onError((error) => {
    const { problem, headers } = toProblem(error);
    return problemResponse(problem, headers);
  });
  return app;
}

/**
 * The OpenAPI document of the app for server version `version`, without a
 * node: routes are declared when the app is built, and no handler runs.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  return describeApi(createApp({ version } as ApiDeps), version) as unknown as Record<
    string,
    unknown
  >;
}
