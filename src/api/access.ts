/**
 * The access middleware (issue 17): every request is matched against the
 * route table, its credential checked (401), its action checked against the
 * caller's role (403, naming the missing permission), its rate limits applied
 * (429), and changes and refusals appended to the audit trail.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import {
  type Action,
  type MatchedRoute,
  type Principal,
  rateLimitHeaders,
  ROUTE_TABLE,
  RouteMatcher,
  type RouteRule,
  type Security,
} from "../auth/mod.ts";
import { problem, problemResponse } from "./problem_details.ts";

const _principals = new WeakMap<Request, Principal>();

/** The caller of a request that passed the access middleware. */
export function principalOf(c: Context): Principal | null {
  return _principals.get(c.req.raw) ?? null;
}

/** The caller on an open loopback node: no credentials needed, full rights. */
const _LOCAL: Principal = {
  id: "local",
  kind: "local",
  role: "admin",
  self: null,
  expiresAt: null,
};

/** Served routes (handlers, not middleware) with no entry in the table. */
export function uncoveredRoutes(
  routes: readonly { method: string; path: string; handler: { length: number } }[],
  table: readonly RouteRule[] = ROUTE_TABLE,
): { method: string; path: string }[] {
  const listed = new Set(table.map((r) => `${r.method} ${r.path}`));
  // A middleware takes (c, next); a handler takes (c).
  return routes.filter((r) => r.handler.length < 2 && !listed.has(`${r.method} ${r.path}`))
    .map(({ method, path }) => ({ method, path }));
}

function _remote(c: Context): string | null {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? null;
}

/**
 * Guards every route of `app` with `security`; `sealed` gives the caller of a
 * request another cluster node forwarded (null: not forwarded).
 */
export function accessControl(
  app: Pick<Hono, "routes">,
  security: Security,
  sealed?: (c: Context) => Promise<Principal | { failure: string }> | null,
): MiddlewareHandler {
  const matcher = new RouteMatcher();
  let uncovered: RouteMatcher | null = null;
  const audit: _Audit = (c, who, action, target, outcome, status, detail) =>
    security.audit({
      actor: who?.id ?? "anonymous",
      role: who?.role ?? null,
      action,
      target,
      source: _remote(c),
      outcome,
      status,
      detail,
    });

  return async (c, next) => {
    if (c.req.method === "OPTIONS") return await next();
    const path = c.req.path;
    const match = matcher.match(c.req.method, path);
    if (match === null) {
      // Default deny: a served route the table forgot is refused; an unknown path is a 404.
      uncovered ??= new RouteMatcher(
        uncoveredRoutes(app.routes).map((r) => ({
          method: r.method as RouteRule["method"],
          path: r.path,
          action: "public",
        })),
      );
      if (uncovered.match(c.req.method, path) === null) return await next();
      audit(c, null, "route.uncovered", path, "denied", 403, `${c.req.method} ${path}`);
      return problemResponse(
        problem(
          403,
          "forbidden",
          `${c.req.method} ${path} has no entry in the route table, so no role may call it`,
          "Add the route to src/auth/route_table.ts",
        ),
      );
    }
    const { rule, target } = match;
    if (rule.action === "public" || (rule.action === "metrics" && security.metricsPublic)) {
      return await next();
    }
    const action: Action = rule.action === "metrics" ? "metrics.read" : rule.action;
    const header = c.req.header("authorization");
    let who: Principal;
    const forwarded = sealed?.(c) ?? null;
    if (forwarded !== null) {
      const result = await forwarded;
      if ("failure" in result) {
        return _unauthorized(c, match, "invalid_token", result.failure, audit);
      }
      who = result;
    } else if (header === undefined) {
      if (security.required) {
        return _unauthorized(
          c,
          match,
          "missing",
          "This server requires credentials: a bearer API key, JWT or token",
          audit,
        );
      }
      who = _LOCAL;
    } else {
      let result = security.authenticator.authenticate(header);
      // Keys and known JWTs answer at once; only a new JWT waits for jose.
      if (result instanceof Promise) result = await result;
      if ("failure" in result) return _unauthorized(c, match, result.failure, result.reason, audit);
      who = result;
    }
    const role = security.roles.get(who.role);
    if (!role || !role.permits(action, target, who.self)) {
      const on = target === null ? "" : ` on "${target}"`;
      const detail = role
        ? `Role "${who.role}" does not have permission "${action}"${on}`
        : `Role "${who.role}" is not defined on this node`;
      audit(c, who, action, target ?? path, "denied", 403, detail);
      return problemResponse(
        problem(
          403,
          "forbidden",
          detail,
          "Use a key or token whose role grants it (see `caxton whoami`, docs/SECURITY.md)",
          {
            permission: action,
            ...(target !== null ? { target } : {}),
            role: who.role,
          },
        ),
      );
    }
    let limitHeaders: Record<string, string> | null = null;
    if (security.limiter.enabled) {
      const answer = security.limiter.check(
        who.id,
        who.role,
        rule.target === "agent" ? target : null,
      );
      if (answer !== null) {
        limitHeaders = rateLimitHeaders(answer);
        if (!answer.allowed) {
          return problemResponse(
            problem(
              429,
              "rate_limited",
              `Too many requests ${
                answer.scope === "key" ? `for ${who.id}` : `to "${target}"`
              }: the limit is ${answer.policy.burst} at once, ${answer.policy.perSecond}/s`,
              `Retry after ${answer.resetSec} s`,
              { scope: answer.scope },
            ),
            limitHeaders,
          );
        }
      }
    }
    _principals.set(c.req.raw, who);
    await next();
    for (const [k, v] of Object.entries(limitHeaders ?? {})) c.res.headers.set(k, v);
    if (rule.audited) _auditOutcome(c, who, action, target ?? path, audit);
  };
}

type _Audit = (
  c: Context,
  who: Principal | null,
  action: string,
  target: string | null,
  outcome: "ok" | "denied" | "failed",
  status: number,
  detail: string,
) => void;

function _auditOutcome(c: Context, who: Principal, action: string, target: string, audit: _Audit) {
  const status = c.res.status;
  audit(
    c,
    who,
    action,
    target,
    status < 400 ? "ok" : "failed",
    status,
    `${c.req.method} ${c.req.path}`,
  );
}

function _unauthorized(
  c: Context,
  match: MatchedRoute,
  failure: string,
  reason: string,
  audit: _Audit,
): Response {
  const action = match.rule.action === "metrics" ? "metrics.read" : match.rule.action;
  audit(c, null, action, match.target ?? c.req.path, "denied", 401, reason);
  return problemResponse(
    problem(
      401,
      "unauthorized",
      reason,
      "Send Authorization: Bearer <API key or token>; the CLI reads CAXTON_API_KEY (create a key with `caxton key create`)",
      { failure, permission: action },
    ),
    {
      "www-authenticate": failure === "missing"
        ? 'Bearer realm="caxton"'
        : 'Bearer realm="caxton", error="invalid_token"',
    },
  );
}
