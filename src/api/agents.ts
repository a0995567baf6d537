/**
 * `/api/v1/agents`: deploy (raw `application/wasm` or multipart with name,
 * limits, isolation, capabilities), list with filters and paging, get,
 * start, stop, reload, remove, and the lifecycle history.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { AGENT_STATES, type AgentView } from "../lifecycle/mod.ts";
import type { CapabilityDeclaration, Isolation } from "../runtime/mod.ts";
import { badQuery, intQuery, requireMediaType } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import type { ApiDeps } from "./deps.ts";

/** An agent as the API shows it (the internal id left out). */
export type PublicAgent = Omit<AgentView, "id">;

/** What a deployment asks for, from either body shape. */
export interface Deployment {
  bytes: Uint8Array;
  limits: Record<string, unknown>;
  isolation?: Isolation;
  /** Names, or `{ name, description?, example? }` objects (checked by the deployment). */
  capabilities?: (string | CapabilityDeclaration)[];
  /** MCP tool grants and the agent's own tool limits (docs/MCP.md). */
  tools?: string[];
  toolLimits?: Record<string, number>;
  start: boolean;
  /** Never passivated when idle (issue 21); absent keeps a redeployed agent's setting. */
  keepAlive?: boolean;
}

export function agentRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !(AGENT_STATES as readonly string[]).includes(state)) {
      throw badQuery("state", state, `one of ${AGENT_STATES.join(", ")}`);
    }
    const prefix = c.req.query("prefix") ?? "";
    const capability = c.req.query("capability");
    const after = c.req.query("after") ?? "";
    const limit = intQuery(c, "limit", 100, 1, 1000);
    // Paged through the name index: one page costs its names, not all agents (issue 21).
    const page = deps.agents.page({ state, prefix, capability, after, limit });
    const items = page.items.map(publicAgent);
    const next = page.next;
    return c.json({ items, next });
  });
  app.get("/:name", (c) => c.json(publicAgent(deps.agents.get(c.req.param("name")))));
  app.get("/:name/history", (c) => {
    const name = c.req.param("name");
    return c.json({ transitions: deps.agents.history(name), events: deps.agents.events(name) });
  });
  app.put("/:name", async (c) => {
    const name = c.req.param("name");
    const existed = deps.agents.has(name);
    const d = await readDeployment(c);
    if (d.tools) _checkGrants(deps, name, d.tools);
    const view = await deps.agents.deploy(name, d.bytes, {
      limits: d.limits,
      isolation: d.isolation,
      capabilities: d.capabilities,
      tools: d.tools,
      toolLimits: d.toolLimits,
      start: d.start,
      keepAlive: d.keepAlive,
    });
    return c.json(publicAgent(view), existed ? 200 : 201, {
      location: `/api/v1/agents/${encodeURIComponent(name)}`,
    });
  });
  app.post(
    "/:name/start",
    async (c) => c.json(publicAgent(await deps.agents.start(c.req.param("name")))),
  );
  app.post(
    "/:name/stop",
    async (c) => c.json(publicAgent(await deps.agents.stop(c.req.param("name")))),
  );
  app.post("/:name/reload", async (c) => {
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
    return c.json(publicAgent(await deps.agents.deploy(name, bytes)));
  });
  app.delete("/:name", async (c) => {
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

/** What a deploy request asks for, from a raw `application/wasm` body or multipart. */
export async function readDeployment(c: Context): Promise<Deployment> {
  const type = requireMediaType(c, ["application/wasm", "multipart/form-data"]);
  if (type === "application/wasm") {
    const query = c.req.query();
    const limits: Record<string, unknown> = {};
    const toolLimits: Record<string, number> = {};
    for (const [key, value] of Object.entries(query)) {
      if (key.startsWith("limits.")) limits[key.slice("limits.".length)] = Number(value);
      if (key.startsWith("toolLimits.")) {
        toolLimits[key.slice("toolLimits.".length)] = Number(value);
      }
    }
    return {
      bytes: new Uint8Array(await c.req.arrayBuffer()),
      limits,
      isolation: query.isolation as Isolation | undefined,
      capabilities: query.capabilities === undefined
        ? undefined
        : _capabilities(query.capabilities),
      tools: query.tools === undefined ? undefined : _list(query.tools, "tools"),
      toolLimits: Object.keys(toolLimits).length > 0 ? toolLimits : undefined,
      start: query.start !== "false",
      keepAlive: _flag(query.keepAlive),
    };
  }
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch (error) {
    throw new ProblemError(
      problem(
        400,
        "bad_multipart",
        `Cannot read the multipart body: ${(error as Error).message}`,
        'Send multipart/form-data with its boundary, a file part "module" and optional text parts (curl -F module=@agent.wasm -F limits=\'{"maxMemoryPages":16}\')',
      ),
    );
  }
  const module = form.get("module");
  if (!(module instanceof File)) {
    throw new ProblemError(
      problem(
        400,
        "missing_module",
        'The multipart body has no file part named "module"',
        'Attach the .wasm file as the part "module" (curl -F module=@agent.wasm)',
      ),
    );
  }
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const limitsText = text("limits");
  const capabilities = text("capabilities");
  const tools = text("tools");
  const toolLimits = text("toolLimits");
  return {
    bytes: new Uint8Array(await module.arrayBuffer()),
    limits: limitsText === undefined ? {} : _jsonObject(limitsText, "limits"),
    isolation: text("isolation") as Isolation | undefined,
    capabilities: capabilities === undefined ? undefined : _capabilities(capabilities),
    tools: tools === undefined ? undefined : _list(tools, "tools"),
    toolLimits: toolLimits === undefined
      ? undefined
      : _jsonObject(toolLimits, "toolLimits") as Record<string, number>,
    start: text("start") !== "false",
    keepAlive: _flag(text("keepAlive")),
  };
}

/** "true" / "false" as a boolean; anything else is refused. */
function _flag(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === "true" || text === "false") return text === "true";
  throw badQuery("keepAlive", text, "true or false");
}

function _jsonObject(text: string, field: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProblemError(
      problem(
        400,
        "bad_json",
        `Cannot read the part "${field}": expected a JSON object, got ${JSON.stringify(text)}`,
        `Send ${field} as JSON, e.g. {"memoryPages":16}`,
      ),
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Capabilities: a JSON array of names or `{ name, description?, example? }`
 * objects (the deployment checks each), or a comma-separated list of names.
 */
function _capabilities(text: string): (string | CapabilityDeclaration)[] {
  if (!text.trim().startsWith("[")) return _list(text, "capabilities");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch { /* reported below */ }
  if (Array.isArray(value)) return value;
  throw new ProblemError(
    problem(
      400,
      "bad_request",
      "Cannot read capabilities: expected a JSON array or a comma-separated list",
      'Send capabilities as ["a","b"], [{"name":"a","description":"…","example":{}}] or a,b',
    ),
  );
}

/** A JSON array of strings, or a comma-separated list. */
function _list(text: string, field: string): string[] {
  if (text.trim().startsWith("[")) {
    try {
      const value = JSON.parse(text);
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    } catch { /* reported below */ }
    throw new ProblemError(
      problem(
        400,
        "bad_request",
        `Cannot read ${field}: expected a JSON array of strings or a comma-separated list`,
        `Send ${field} as ["a","b"] or a,b`,
      ),
    );
  }
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
