/**
 * `GET /api/v1/cluster`: the members this node sees, their agents, load and
 * heartbeats (forwarding of agent operations: cluster_forward.ts).
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { problem, ProblemError } from "./problem_details.ts";
import { jsonResponse, routes } from "./route_parts.ts";
import { ClusterStatusSchema } from "./schemas.ts";
import type { ApiDeps } from "./deps.ts";

const _status = createRoute({
  method: "get",
  path: "/",
  operationId: "clusterStatus",
  tags: ["cluster"],
  summary: "Members of the cluster as this node sees them",
  responses: { 200: jsonResponse("This node and its peers", ClusterStatusSchema) },
});

export function clusterRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_status, (c) => {
    if (!deps.cluster) {
      throw new ProblemError(
        problem(
          404,
          "not_clustered",
          "This node is not part of a cluster",
          "Start it with --cluster nats://host:port (or CAXTON_CLUSTER); see docs/CLUSTER.md",
        ),
      );
    }
    return c.json(deps.cluster.status(), 200);
  });
  return app;
}
