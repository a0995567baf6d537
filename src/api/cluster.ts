/**
 * `GET /api/v1/cluster`: the members this node sees, their agents, load and
 * heartbeats (forwarding of agent operations: cluster_forward.ts).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
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

const _agents = createRoute({
  method: "get",
  path: "/agents",
  operationId: "clusterAgents",
  tags: ["cluster"],
  summary: "Every agent of the cluster with its node (the registry)",
  responses: {
    200: jsonResponse(
      "Agents by name",
      z.object({
        items: z.array(z.object({
          name: z.string(),
          node: z.string().openapi({ description: "Its node's id" }),
          nodeName: z.string(),
          nodeState: z.enum(["joined", "suspect", "gone"]),
        })),
      }),
    ),
  },
});

export function clusterRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_status, (c) => c.json(_clustered(deps).status(), 200));
  app.openapi(_agents, (c) => c.json({ items: _clustered(deps).agents() }, 200));
  return app;
}

function _clustered(deps: ApiDeps): NonNullable<ApiDeps["cluster"]> {
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
  return deps.cluster;
}
