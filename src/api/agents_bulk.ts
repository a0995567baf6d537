/**
 * `PUT /api/v1/agents`: bulk deploy (issue 21) — many new agents of one
 * module, named by a list or by a template (`pattern` with `{n}`, `count`,
 * `start`), the module validated and metered once. The body is the module as
 * `application/wasm` (names in the query) or multipart with a `module` part
 * and an `agents` part (JSON), beside the single deploy's optional parts.
 */
import type { Context } from "hono";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { namesFromPattern } from "../lifecycle/mod.ts";
import { deployOptions, readDeployment } from "./deploy_body.ts";
import { shareModule } from "./cluster_modules.ts";
import { problem, ProblemError } from "./problem_details.ts";
import type { ApiDeps } from "./deps.ts";

const _Problem = {
  content: {
    "application/problem+json": {
      schema: z.object({ type: z.string(), title: z.string(), status: z.number() }).loose(),
    },
  },
};

const _BulkResult = z.object({
  deployed: z.number().int().openapi({ description: "Agents created" }),
  first: z.string().openapi({ description: "The first name" }),
  last: z.string().openapi({ description: "The last name" }),
  moduleHash: z.string(),
  capabilities: z.array(z.string()).openapi({
    description: "Each agent's capabilities: declared, and registered by caxton_init",
  }),
});

const _Which = z.union([
  z.object({ names: z.array(z.string()).min(1) }),
  z.object({
    pattern: z.string().openapi({
      description: '"{n}" is replaced by the number',
      example: "echo-{n}",
    }),
    count: z.number().int().min(1),
    start: z.number().int().min(0).optional().openapi({ description: "The first number (1)" }),
  }),
]);

/** The bulk deploy route, described from its definition. */
export const bulkDeployRoute = createRoute({
  method: "put",
  path: "/",
  operationId: "deployAgents",
  tags: ["agents"],
  summary: "Bulk deploy: many new agents of one module, activated on their first message",
  request: {
    query: z.object({
      names: z.string().optional().openapi({ description: "application/wasm: a,b,c" }),
      pattern: z.string().optional().openapi({ description: "application/wasm: e.g. echo-{n}" }),
      count: z.string().optional(),
      start: z.string().optional(),
    }),
    body: {
      required: true,
      content: {
        // Plain schemas (not zod): the handler reads the body as the single deploy does.
        "application/wasm": { schema: { type: "string", format: "binary" } },
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["module", "agents"],
            properties: {
              module: { type: "string", format: "binary" },
              agents: {
                type: "string",
                description: '{"names":[…]} or {"pattern":"echo-{n}","count":1000,"start":1}',
              },
              limits: { type: "string" },
              isolation: { type: "string" },
              capabilities: { type: "string" },
              tools: { type: "string" },
              toolLimits: { type: "string" },
              start: { type: "string" },
              keepAlive: { type: "string" },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: "Deployed", content: { "application/json": { schema: _BulkResult } } },
    400: { description: "Bad names, template or options", ..._Problem },
    401: { description: "A bearer token is required", ..._Problem },
    404: { description: "No such resource", ..._Problem },
    409: { description: "Some names exist already; nothing was deployed", ..._Problem },
    422: { description: "The module was refused", ..._Problem },
  },
});

/** The bulk deploy route as a sub-app (mounted at /api/v1/agents). */
export function agentBulkRoutes(deps: ApiDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(bulkDeployRoute, async (c) => {
    const names = await _names(c);
    const d = await readDeployment(c);
    const result = await deps.agents.deployMany(names, d.bytes, deployOptions(d));
    await shareModule(deps, d.bytes);
    return c.json(result, 201);
  });
  return app;
}

/** The names asked for: the multipart `agents` part, or the query of a raw module. */
async function _names(c: Context): Promise<string[]> {
  let spec: unknown;
  if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
    const part = (await c.req.formData().catch(() => null))?.get("agents");
    spec = typeof part === "string" ? _json(part) : undefined;
  } else {
    const q = c.req.query();
    spec = q.names !== undefined
      ? { names: q.names.split(",").map((n) => n.trim()).filter((n) => n !== "") }
      : q.pattern !== undefined
      ? { pattern: q.pattern, count: Number(q.count), start: q.start && Number(q.start) }
      : undefined;
  }
  const parsed = _Which.safeParse(spec);
  if (!parsed.success) {
    throw new ProblemError(
      problem(
        400,
        "bad_agents",
        `Cannot tell which agents to deploy: ${
          spec === undefined ? "no agents were named" : parsed.error.issues[0]!.message
        }`,
        'Send an "agents" part {"names":["a","b"]} or {"pattern":"echo-{n}","count":1000}, or ?pattern=echo-{n}&count=1000 with an application/wasm body',
      ),
    );
  }
  const which = parsed.data;
  return "names" in which ? which.names : namesFromPattern(which.pattern, which.count, which.start);
}

function _json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
