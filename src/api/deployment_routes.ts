/**
 * Deployments of an agent (issue 16, docs/DEPLOYMENTS.md): `POST
 * /api/v1/agents/{name}/deployments` rolls a new module out with a strategy
 * (blue-green, canary, shadow) after its validation stages; `GET` lists the
 * history; `…/current` shows the one under way (or the latest) and
 * `…/current/{promote|abort|rollback}` act on it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { decodeBase64 } from "../lifecycle/deployments/base64.ts";
import { NoDeploymentError } from "../lifecycle/deployments/deployments.ts";
import { ROLLOUT_OPTIONS } from "../lifecycle/deployments/rollout_options.ts";
import type { ApiDeps } from "./deps.ts";
import { problem, ProblemError } from "./problem_details.ts";
import { jsonResponse, problemResponse, routes } from "./route_parts.ts";

const _Name = z.object({ name: z.string().openapi({ example: "echo" }) });
const _Action = _Name.extend({ action: z.enum(["promote", "abort", "rollback"]) });

const _NewDeployment = ROLLOUT_OPTIONS.extend({
  module: z.string().min(1).max(200_000_000).openapi({
    description: "The new version's WebAssembly module, base64",
  }),
}).openapi("NewDeployment");

const _Deployment = z.object({
  id: z.number().int(),
  agent: z.string(),
  strategy: z.string(),
  status: z.string().openapi({
    description:
      "validating, progressing, switched, shadowing, promoted, completed, rolled_back or failed_validation",
  }),
  fromVersion: z.number().int(),
  toVersion: z.number().int().nullable(),
  fromHash: z.string(),
  toHash: z.string(),
  options: z.record(z.string(), z.unknown()),
  report: z.record(z.string(), z.unknown()).openapi({
    description: "Validation stages, steps and analyses, shadow divergence, and why it ended",
  }),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
}).openapi("Deployment");

const _problems = {
  404: problemResponse("No such agent"),
  409: problemResponse("The agent is not running, or has no deployment under way"),
};

const _create = createRoute({
  method: "post",
  path: "/{name}/deployments",
  operationId: "createDeployment",
  tags: ["deployments"],
  summary: "Roll a new version out: validation stages, then blue-green, canary or shadow",
  request: {
    params: _Name,
    body: { required: true, content: { "application/json": { schema: _NewDeployment } } },
  },
  responses: {
    201: jsonResponse(
      "Started (or failed validation: status failed_validation, report.stages says why)",
      _Deployment,
    ),
    ..._problems,
  },
});

const _history = createRoute({
  method: "get",
  path: "/{name}/deployments",
  operationId: "listDeployments",
  tags: ["deployments"],
  summary: "An agent's deployments, newest first, with their reports",
  request: { params: _Name },
  responses: {
    200: jsonResponse("The history", z.object({ deployments: z.array(_Deployment) })),
    ..._problems,
  },
});

const _current = createRoute({
  method: "get",
  path: "/{name}/deployments/current",
  operationId: "getDeployment",
  tags: ["deployments"],
  summary: "The deployment under way, else the latest",
  request: { params: _Name },
  responses: { 200: jsonResponse("The deployment", _Deployment), ..._problems },
});

const _act = createRoute({
  method: "post",
  path: "/{name}/deployments/current/{action}",
  operationId: "actOnDeployment",
  tags: ["deployments"],
  summary:
    "promote (now), abort (old version takes all traffic) or rollback (also after completion)",
  request: { params: _Action },
  responses: { 200: jsonResponse("The deployment after the action", _Deployment), ..._problems },
});

/** Runs `fn`, answering "no deployment" as 409. */
async function _acting<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof NoDeploymentError)) throw error;
    throw new ProblemError(
      problem(409, error.code, error.message, "Start one: POST /api/v1/agents/{name}/deployments"),
    );
  }
}

/** The deployment routes, mounted under `/api/v1/agents`. */
export function deploymentRoutes(deps: ApiDeps) {
  const app = routes();
  app.openapi(_create, async (c) => {
    const { name } = c.req.valid("param");
    const { module, ...options } = c.req.valid("json");
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(module);
    } catch {
      throw new ProblemError(
        problem(
          400,
          "invalid_module",
          "Cannot read field module: it is not base64",
          "Send the module's bytes base64-encoded",
        ),
      );
    }
    const deployment = await deps.agents.deployments.deploy(name, bytes, options);
    return c.json(deployment, 201);
  });
  app.openapi(_history, (c) => {
    const { name } = c.req.valid("param");
    return c.json({ deployments: deps.agents.deployments.history(name) }, 200);
  });
  app.openapi(_current, async (c) => {
    const { name } = c.req.valid("param");
    return c.json(await _acting(() => deps.agents.deployments.status(name)), 200);
  });
  app.openapi(_act, async (c) => {
    const { name, action } = c.req.valid("param");
    const deployments = deps.agents.deployments;
    const result = await _acting(() => deployments[action](name));
    return c.json(result, 200);
  });
  return app;
}
