/**
 * The OpenAPI 3.1 document, generated from the routes the app declares with
 * `createRoute` (every `OpenAPIHono` sub-app mounted with `app.route()`
 * lands in it); served at `/api/v1/openapi.json`, linted by Redocly in CI.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ProblemSchema } from "./schemas.ts";

/** The document as JSON. */
export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

const _TAGS = [
  { name: "probes", description: "Liveness, readiness, metrics" },
  { name: "cluster", description: "Cluster membership over NATS (docs/CLUSTER.md)" },
  { name: "agents", description: "Deploy and run WebAssembly agents" },
  {
    name: "deployments",
    description: "Validation stages, blue-green, canary and shadow rollouts (docs/DEPLOYMENTS.md)",
  },
  { name: "messages", description: "FIPA ACL messages and conversations" },
  { name: "participants", description: "Outside participants ext:<name>" },
  { name: "services", description: "Agents as services: request/reply and jobs" },
  { name: "capabilities", description: "The directory: agents by capability (docs/DISCOVERY.md)" },
  { name: "security", description: "API keys, identity and the audit trail (docs/SECURITY.md)" },
  {
    name: "tools",
    description:
      "MCP tools at tool:<server>/<tool> (docs/MCP.md); Caxton's own MCP server is at /mcp (JSON-RPC, not REST)",
  },
];

/** Problems any route may answer: refused input, a missing token, an unknown resource. */
const _COMMON = Object.fromEntries(
  [
    ["400", "Bad JSON or an invalid field"],
    ["401", "A bearer token is required"],
    ["404", "No such resource"],
  ].map(([status, description]) => [status, {
    description,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  }]),
);

const _METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

const _documents = new WeakMap<OpenAPIHono, OpenApiDocument>();

/**
 * The document of `app` for server version `version`: generated once, when
 * first asked (every sub-app is mounted by then).
 */
export function describeApi(app: OpenAPIHono, version: string): OpenApiDocument {
  const known = _documents.get(app);
  if (known) return known;
  const doc = _generate(app, version);
  _documents.set(app, doc);
  return doc;
}

function _generate(app: OpenAPIHono, version: string): OpenApiDocument {
  app.openAPIRegistry.register("Problem", ProblemSchema);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "When the server sets apiToken",
  });
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Caxton API",
      version,
      description:
        "Agents, messages, outside participants and agents as services. Every error is application/problem+json (RFC 9457) with type, detail and remedy.",
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    servers: [{ url: "http://127.0.0.1:8080", description: "A local `caxton serve`" }],
    security: [{}, { bearer: [] }],
    tags: _TAGS,
  });
  // The app's middleware answers these on every route, whichever sub-app declared it.
  for (const item of Object.values(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!_METHODS.has(method)) continue;
      const op = operation as { responses?: Record<string, unknown> };
      op.responses = { ...op.responses };
      for (const [status, response] of Object.entries(_COMMON)) op.responses[status] ??= response;
    }
  }
  return doc;
}
