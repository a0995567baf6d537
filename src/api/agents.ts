/**
 * `/api/v1/agents`: deploy (raw `application/wasm` or multipart with name,
 * limits, isolation, capabilities), list with filters and paging, get,
 * start, stop, reload, remove, and the lifecycle history.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { AGENT_STATES, type AgentView } from "../lifecycle/mod.ts";
import { deployOptions, readDeployment } from "./deploy_body.ts";
import { moduleByHash, shareModule } from "./cluster_modules.ts";
import { problem, ProblemError } from "./problem_details.ts";
import {
  jsonResponse,
  nameParams,
  paging,
  problemResponse,
  routes,
  textQuery,
} from "./route_parts.ts";
import { AgentSchema, DEPLOY_FORM } from "./schemas.ts";
import type { ApiDeps } from "./deps.ts";

/** An agent as the API shows it (the internal id left out). */
export type PublicAgent = Omit<AgentView, "id">;

const _listRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listAgents",
  tags: ["agents"],
  summary: "List agents, filtered and paged by name",
  request: {
    query: z.object({
      state: z.enum(AGENT_STATES, { error: `one of ${AGENT_STATES.join(", ")}` }).optional()
        .openapi({ description: "Only agents in this state" }),
      prefix: textQuery("Only names starting with this"),
      capability: textQuery("Only agents with this capability"),
      after: textQuery("Names after this one (paging cursor)"),
      ...paging,
    }),
  },
  responses: {
    200: jsonResponse(
      "A page of agents",
      z.object({
        items: z.array(AgentSchema),
        next: z.string().nullable().openapi({ description: "Pass as `after` for the next page" }),
      }),
    ),
  },
});

const _get = createRoute({
  method: "get",
  path: "/{name}",
  operationId: "getAgent",
  tags: ["agents"],
  summary: "An agent: state, version, limits, counters",
  request: { params: nameParams },
  responses: { 200: jsonResponse("The agent", AgentSchema) },
});

const _history = createRoute({
  method: "get",
  path: "/{name}/history",
  operationId: "agentHistory",
  tags: ["agents"],
  summary: "Lifecycle transitions and runtime events",
  request: { params: nameParams },
  responses: {
    200: jsonResponse(
      "History, oldest first",
      z.object({
        transitions: z.array(z.looseObject({})),
        events: z.array(z.looseObject({})),
      }).partial(),
    ),
  },
});

/** Described, not checked here: the deployment refuses what it cannot use. */
const _described = (description: string, values?: string[]) =>
  z.string().optional().openapi({ description, ...(values ? { enum: values } : {}) });

const _deploy = createRoute({
  method: "put",
  path: "/{name}",
  operationId: "deployAgent",
  tags: ["agents"],
  summary: "Deploy a module: new agent, new version or hot reload",
  description:
    "A raw upload (application/wasm) takes limits as query parameters `limits.<name>=<number>` (e.g. `limits.maxMessageBytes=65536`) and tool limits as `toolLimits.<name>=<number>`; a multipart upload takes them as the JSON parts `limits` and `toolLimits`.",
  request: {
    params: nameParams,
    query: z.object({
      isolation: _described("Raw upload: isolation", ["shared", "dedicated"]),
      capabilities: _described("Raw upload: comma-separated"),
      tools: _described(
        "Raw upload: MCP tools the agent may call, comma-separated server/tool or server/*",
      ),
      start: _described("Start once loaded (default true)", ["true", "false"]),
      keepAlive: _described("Raw upload: never passivate when idle", ["true", "false"]),
      instances: _described(
        "Raw upload: pool members, 1-64, or MIN..MAX the node sizes from mailbox depth (docs/POOLS.md)",
      ),
      node: _described("Cluster: the node to deploy on (default: placement, docs/CLUSTER.md)"),
      language: _described("Raw upload: the module's source language; absent, it is detected"),
    }),
    // Read by the handler (raw bytes, or parts it checks one by one): described, not validated.
    body: {
      required: true,
      content: {
        "application/wasm": { schema: z.string().openapi({ format: "binary" }) },
        "multipart/form-data": { schema: DEPLOY_FORM },
      },
    },
  },
  responses: {
    200: jsonResponse("A new version of an existing agent", AgentSchema),
    201: jsonResponse("A new agent", AgentSchema),
    413: problemResponse("Module over maxRequestBytes"),
    415: problemResponse("Neither application/wasm nor multipart/form-data"),
    422: problemResponse("The module was refused (invalid_module) or failed to start"),
  },
});

/** `POST /{name}/start`, `/stop`, `/reload`. */
const _verb = (verb: "start" | "stop" | "reload") =>
  createRoute({
    method: "post",
    path: `/{name}/${verb}`,
    operationId: `${verb}Agent`,
    tags: ["agents"],
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} an agent`,
    request: { params: nameParams },
    responses: {
      200: jsonResponse("The agent afterwards", AgentSchema),
      409: problemResponse("Not possible from the agent's state"),
    },
  });

const _remove = createRoute({
  method: "delete",
  path: "/{name}",
  operationId: "removeAgent",
  tags: ["agents"],
  summary: "Remove an agent, its versions and state",
  request: { params: nameParams },
  responses: { 204: { description: "Removed" } },
});

export function agentRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_listRoute, (c) => {
    const { state, prefix = "", capability, after = "", limit } = c.req.valid("query");
    // Paged through the name index: one page costs its names, not all agents (issue 21).
    const page = deps.agents.page({ state, prefix, capability, after, limit });
    return c.json({ items: page.items.map(publicAgent), next: page.next }, 200);
  });
  app.openapi(_get, (c) => c.json(publicAgent(deps.agents.get(c.req.param("name"))), 200));
  app.openapi(_history, (c) => {
    const name = c.req.param("name");
    return c.json(
      { transitions: deps.agents.history(name), events: deps.agents.events(name) },
      200,
    );
  });
  app.openapi(_deploy, async (c) => {
    const name = c.req.param("name");
    const existed = deps.agents.has(name);
    const d = await readDeployment(c, moduleByHash(deps, c));
    if (d.tools) _checkGrants(deps, name, d.tools);
    const view = await deps.agents.deploy(name, d.bytes, deployOptions(d));
    await shareModule(deps, d.bytes);
    return c.json(publicAgent(view), existed ? 200 : 201, {
      location: `/api/v1/agents/${encodeURIComponent(name)}`,
    });
  });
  app.openapi(
    _verb("start"),
    async (c) => c.json(publicAgent(await deps.agents.start(c.req.param("name"))), 200),
  );
  app.openapi(
    _verb("stop"),
    async (c) => c.json(publicAgent(await deps.agents.stop(c.req.param("name"))), 200),
  );
  app.openapi(_verb("reload"), async (c) => {
    const name = c.req.param("name");
    const agent = deps.agents.get(name);
    if (agent.state !== "running") {
      throw new ProblemError(
        problem(
          409,
          "not_running",
          `Cannot reload agent "${name}": it is ${agent.state}, and only a running agent reloads`,
          `Start it with POST /api/v1/agents/${name}/start`,
          { agent: name, state: agent.state },
        ),
      );
    }
    const bytes = deps.store.modules.original(agent.moduleHash);
    if (!bytes) throw new Error(`module ${agent.moduleHash} of agent "${name}" is missing`);
    return c.json(publicAgent(await deps.agents.deploy(name, bytes)), 200);
  });
  app.openapi(_remove, async (c) => {
    await deps.agents.remove(c.req.param("name"));
    return c.body(null, 204);
  });
  return app;
}

/**
 * Refuses grants of tools on MCP servers this node does not have: a typo or a
 * missing `mcp` config would otherwise surface only as failed tool calls later.
 */
function _checkGrants(deps: Pick<ApiDeps, "tools">, name: string, grants: string[]): void {
  const servers = deps.tools.list().map((s) => s.name);
  // A grant without "server/" is left to the deployment's own check, which says what it should be.
  const unknown = grants.filter((g) => g.includes("/") && !servers.includes(g.split("/")[0]!));
  if (unknown.length === 0) return;
  const configured = servers.length === 0
    ? "no MCP server is configured on this node"
    : `the configured MCP servers are ${servers.map((s) => `"${s}"`).join(", ")}`;
  throw new ProblemError(
    problem(
      400,
      "unknown_tool_server",
      `Cannot grant ${unknown.map((g) => `"${g}"`).join(", ")} to agent "${name}": ${configured}`,
      'Grant tools of a configured server, or add the server under "mcp" in the node\'s config file (docs/MCP.md)',
      { agent: name, servers },
    ),
  );
}

/** Strips what only the node needs. */
function publicAgent(view: AgentView): PublicAgent {
  const { id: _id, ...rest } = view;
  return rest;
}
