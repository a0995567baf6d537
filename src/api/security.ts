/**
 * Security routes (issue 17): `GET /api/v1/whoami`, API keys
 * (`/api/v1/keys`) and the audit trail (`/api/v1/audit`, `/audit/verify`).
 * Declared with `createRoute` + zod, so their OpenAPI is generated.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiKeyError, parseExpiry, type Security } from "../auth/mod.ts";
import type { Store } from "../store/mod.ts";
import { principalOf } from "./access.ts";
import { HTTPException } from "hono/http-exception";
import { problem, ProblemError, problemResponse } from "./problem_details.ts";
import { toProblem } from "./problem_mapping.ts";

const Key = z.object({
  id: z.string().openapi({ example: "cxk_1a2b3c4d" }),
  role: z.string(),
  name: z.string().nullable(),
  createdAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
});

const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  source: z.string().nullable(),
  outcome: z.enum(["ok", "denied", "failed"]),
  status: z.number().int().nullable(),
  detail: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

const _json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const _problem = (description: string) => ({
  content: {
    "application/problem+json": { schema: z.object({ type: z.string(), detail: z.string() }) },
  },
  description,
});

/** The refusals every route here may answer. */
const _refusals = {
  400: _problem("The request is not valid"),
  401: _problem("No valid credential"),
  403: _problem("The role lacks the permission named in the problem"),
};

const whoami = createRoute({
  method: "get",
  path: "/whoami",
  tags: ["security"],
  operationId: "whoami",
  summary: "Who the credential sent belongs to, and what its role allows",
  responses: {
    200: _json(
      z.object({
        id: z.string(),
        kind: z.string(),
        role: z.string(),
        self: z.string().nullable(),
        expiresAt: z.number().int().nullable(),
        authRequired: z.boolean(),
        permissions: z.array(
          z.object({ action: z.string(), targets: z.union([z.literal("*"), z.array(z.string())]) }),
        ),
      }),
      "The caller",
    ),
    ..._refusals,
  },
});

const listKeys = createRoute({
  method: "get",
  path: "/keys",
  tags: ["security"],
  operationId: "listKeys",
  summary: "API keys (never their secrets)",
  responses: { 200: _json(z.object({ items: z.array(Key) }), "The keys"), ..._refusals },
});

const createKey = createRoute({
  method: "post",
  path: "/keys",
  tags: ["security"],
  operationId: "createKey",
  summary: "Create an API key; the key is in this response only",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            role: z.string(),
            name: z.string().optional(),
            expires: z.string().optional().openapi({ description: "30d, 12h, 90m or an ISO date" }),
          }),
        },
      },
      required: true,
    },
  },
  responses: {
    201: _json(z.object({ key: z.string(), record: Key }), "The new key, shown once"),
    ..._refusals,
  },
});

const revokeKey = createRoute({
  method: "delete",
  path: "/keys/{id}",
  tags: ["security"],
  operationId: "revokeKey",
  summary: "Revoke an API key",
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: _json(Key, "The revoked key"), 404: _problem("No such key"), ..._refusals },
});

const listAudit = createRoute({
  method: "get",
  path: "/audit",
  tags: ["security"],
  operationId: "listAudit",
  summary: "Audit entries, oldest first, after a seq",
  request: {
    query: z.object({
      after: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  responses: {
    200: _json(z.object({ items: z.array(AuditEntry) }), "A page of the audit trail"),
    ..._refusals,
  },
});

const verifyAudit = createRoute({
  method: "get",
  path: "/audit/verify",
  tags: ["security"],
  operationId: "verifyAudit",
  summary: "Walk the audit hash chain and say where it breaks",
  responses: {
    200: _json(
      z.object({
        ok: z.boolean(),
        entries: z.number().int(),
        seq: z.number().int().optional(),
        problem: z.string().optional(),
      }),
      "The verdict",
    ),
    ..._refusals,
  },
});

/** What these routes need. */
export interface SecurityRouteDeps {
  store: Store;
  security?: Security;
}

function _need(deps: SecurityRouteDeps): Security {
  if (!deps.security) {
    throw new ProblemError(
      problem(
        404,
        "not_found",
        "Security is not configured on this app",
        "Start the node with main.ts",
      ),
    );
  }
  return deps.security;
}

function _keyProblem(error: unknown): never {
  if (error instanceof ApiKeyError) {
    throw new ProblemError(
      problem(
        error.code === "key_not_found" ? 404 : 400,
        error.code,
        error.message,
        "See `caxton key --help` and docs/SECURITY.md",
      ),
    );
  }
  if (error instanceof TypeError) {
    throw new ProblemError(problem(400, "bad_request", error.message, "See docs/SECURITY.md"));
  }
  throw error;
}

/** `/api/v1/{whoami,keys,audit}`. */
export function securityRoutes(deps: SecurityRouteDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ProblemError(
          problem(
            400,
            "bad_request",
            `The request is not valid: ${
              result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
            }`,
            "See /api/v1/openapi.json",
          ),
        );
      }
    },
  });
  // A body the validator cannot read (not JSON) is a 400 problem like any other.
  app.onError((error) => {
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(
        problem(
          error.status,
          "bad_json",
          `The request body cannot be read: ${error.message}`,
          "Send a JSON object (see /api/v1/openapi.json)",
        ),
      );
    }
    const { problem: p, headers } = toProblem(error);
    return problemResponse(p, headers);
  });
  app.openapi(whoami, (c) => {
    const security = _need(deps);
    const who = principalOf(c) ??
      { id: "local", kind: "local", role: "admin", self: null, expiresAt: null };
    return c.json({
      ...who,
      authRequired: security.required,
      permissions: security.roles.get(who.role)?.actions() ?? [],
    }, 200);
  });
  app.openapi(listKeys, (c) => c.json({ items: _need(deps).keys.list() }, 200));
  app.openapi(createKey, (c) => {
    const { role, name, expires } = c.req.valid("json");
    try {
      const created = _need(deps).keys.create({
        role,
        name: name ?? null,
        expiresAt: expires === undefined ? null : parseExpiry(expires),
      });
      return c.json(created, 201);
    } catch (error) {
      _keyProblem(error);
    }
  });
  app.openapi(revokeKey, (c) => {
    try {
      return c.json(_need(deps).keys.revoke(c.req.valid("param").id), 200);
    } catch (error) {
      _keyProblem(error);
    }
  });
  app.openapi(listAudit, (c) => {
    const { after, limit } = c.req.valid("query");
    return c.json(
      { items: deps.store.audit.list({ after: after ?? 0, limit: limit ?? 100 }) },
      200,
    );
  });
  app.openapi(verifyAudit, (c) => c.json(deps.store.audit.verify(), 200));
  return app;
}
