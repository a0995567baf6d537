/**
 * The HTTP API as a factory: one Hono app, one sub-app per resource, one
 * error handler that turns domain errors into RFC 9457 problems.
 */
import { Hono } from "hono";
import {
  AgentNotFoundError,
  IllegalTransitionError,
  InvalidDeploymentError,
} from "../lifecycle/mod.ts";
import { AgentLoadError, InvalidLimitError, ModuleRejectedError } from "../runtime/mod.ts";
import { problem, ProblemError, problemResponse } from "./problem.ts";
import { agentRoutes } from "./agents.ts";
import { healthRoutes } from "./health.ts";
import { mcpRoutes, toolRoutes } from "./tools.ts";
import type { ApiDeps } from "./deps.ts";

/** Builds the HTTP app over a node's parts. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  app.route("/", healthRoutes(deps));
  app.route("/api/v1/agents", agentRoutes(deps));
  if (deps.tools) app.route("/api/v1/tools", toolRoutes(deps.tools));
  if (deps.mcp) app.route("/mcp", mcpRoutes(deps.mcp));
  app.notFound((c) =>
    problemResponse(
      problem(
        404,
        "not_found",
        `No route for ${c.req.method} ${c.req.path}`,
        "See /api/v1 routes in docs/API.md",
      ),
    )
  );
  app.onError((error) => problemResponse(_toProblem(error)));
  return app;
}

function _toProblem(error: Error) {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof AgentNotFoundError) {
    return problem(
      404,
      error.code,
      error.message,
      "GET /api/v1/agents lists the agents deployed here",
    );
  }
  if (error instanceof ModuleRejectedError) {
    return problem(
      422,
      error.code,
      error.message,
      "Fix the module and deploy again; docs/ABI.md lists what a module must export and may import",
    );
  }
  if (error instanceof InvalidLimitError || error instanceof InvalidDeploymentError) {
    return problem(400, error.code, error.message, "Correct the request and send it again");
  }
  if (error instanceof IllegalTransitionError) {
    return problem(
      409,
      error.code,
      error.message,
      "Read the agent's state with GET /api/v1/agents/{name} first",
    );
  }
  if (error instanceof AgentLoadError) {
    return problem(
      422,
      error.code,
      error.message,
      "The agent's start function or caxton_init failed; check the agent's logs",
    );
  }
  return problem(
    500,
    "internal_error",
    error.message,
    "This is a bug in Caxton; please report it with the server log",
  );
}
