/**
 * `GET /api/v1/cluster`: the members this node sees, their agents, load and
 * heartbeats; and forwarding of agent operations to the agent's node.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
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

/** Marks a request one node forwarded to another: it is never forwarded again. */
const _FORWARDED = "x-caxton-forwarded-by";

/**
 * Cluster: an operation on an agent that lives on another node (get, history,
 * start, stop, reload, remove) is forwarded to that node's API and its answer
 * returned as is. Deploys are not forwarded (a name held elsewhere is refused,
 * 409), and requests to an agent travel as messages, not HTTP.
 */
export function forwardToOwner(deps: ApiDeps): MiddlewareHandler {
  return async (c, next) => {
    const cluster = deps.cluster;
    // Standalone (the usual node): nothing to read from the request.
    if (!cluster) return await next();
    const name = c.req.param("name");
    if (
      !cluster || !name || c.req.method === "PUT" || c.req.path.endsWith("/request") ||
      c.req.header(_FORWARDED) !== undefined || deps.agents.has(name)
    ) {
      return await next();
    }
    const owner = cluster.ownerOf(name);
    if (!owner) return await next();
    const unreachable = (why: string) =>
      new ProblemError(
        problem(
          503,
          "node_unreachable",
          `Cannot reach agent "${name}": its node "${owner.name}" ${why}`,
          "Retry once the node is back (caxton cluster status)",
          { node: owner.name },
        ),
      );
    if (owner.gone || owner.api === null) {
      throw unreachable(owner.gone ? "is gone" : "serves no API");
    }
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    headers.set(_FORWARDED, cluster.self.id);
    headers.delete("host");
    let response: Response;
    try {
      response = await fetch(`${owner.api}${url.pathname}${url.search}`, {
        method: c.req.method,
        headers,
        body: c.req.method === "GET" || c.req.method === "HEAD"
          ? undefined
          : await c.req.arrayBuffer(),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw unreachable(`did not answer (${(error as Error).message})`);
    }
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}
