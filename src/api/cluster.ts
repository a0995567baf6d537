/** `GET /api/v1/cluster`: the members this node sees, their agents, load and heartbeats. */
import { Hono } from "hono";
import { problem, ProblemError } from "./problem.ts";
import type { ApiDeps } from "./deps.ts";

export function clusterRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => {
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
    return c.json(deps.cluster.status());
  });
  return app;
}
