/**
 * THE table of who may call what (issue 17): every route the node serves,
 * with the action it needs and the target it acts on. A route missing here is
 * refused (403) even when the app serves it, and tests/auth/route_table_test.ts
 * fails until it is added. `public` routes need no credentials.
 */
import type { Action } from "./actions.ts";

/** How a route's target is read from its path parameters. */
export type TargetOf = "agent" | "participant";

/** One route: a Hono-style path (`:name`, `:key{.+}`, trailing `*`). */
export interface RouteRule {
  method: "GET" | "PUT" | "POST" | "DELETE" | "ALL";
  path: string;
  /** The action it needs; `public`: none; `metrics`: public or `metrics.read` by config. */
  action: Action | "public" | "metrics";
  /** Whose name the action is on: the `:name` parameter, as an agent or `ext:` participant. */
  target?: TargetOf;
  /** Changes something: written to the audit trail whatever the outcome. */
  audited?: boolean;
}

const A = "/api/v1/agents";
const P = "/api/v1/participants";

export const ROUTE_TABLE: readonly RouteRule[] = [
  { method: "GET", path: "/health", action: "public" },
  { method: "GET", path: "/ready", action: "public" },
  { method: "GET", path: "/metrics", action: "metrics" },
  { method: "GET", path: "/api/v1/openapi.json", action: "public" },
  { method: "GET", path: A, action: "agents.read" },
  { method: "GET", path: `${A}/:name`, action: "agents.read", target: "agent" },
  { method: "PUT", path: `${A}/:name`, action: "agents.deploy", target: "agent", audited: true },
  {
    method: "DELETE",
    path: `${A}/:name`,
    action: "agents.lifecycle",
    target: "agent",
    audited: true,
  },
  { method: "GET", path: `${A}/:name/history`, action: "agents.read", target: "agent" },
  // Bulk deploy (issue 21): the names are in the body, so only an unscoped grant allows it.
  { method: "PUT", path: A, action: "agents.deploy", audited: true },
  { method: "GET", path: `${A}/:name/logs`, action: "agents.read", target: "agent" },
  // Durable timers (docs/TIMERS.md): setting one makes the agent act later, as a send does.
  { method: "GET", path: `${A}/:name/timers`, action: "agents.read", target: "agent" },
  {
    method: "POST",
    path: `${A}/:name/timers`,
    action: "messages.send",
    target: "agent",
    audited: true,
  },
  {
    method: "DELETE",
    path: `${A}/:name/timers/:id`,
    action: "messages.send",
    target: "agent",
    audited: true,
  },
  // Deployments (docs/DEPLOYMENTS.md): a rollout, and acting on it, is a deploy.
  { method: "GET", path: `${A}/:name/deployments`, action: "agents.read", target: "agent" },
  { method: "GET", path: `${A}/:name/deployments/current`, action: "agents.read", target: "agent" },
  {
    method: "POST",
    path: `${A}/:name/deployments`,
    action: "agents.deploy",
    target: "agent",
    audited: true,
  },
  {
    method: "POST",
    path: `${A}/:name/deployments/current/:action`,
    action: "agents.deploy",
    target: "agent",
    audited: true,
  },
  { method: "GET", path: "/api/v1/capabilities", action: "agents.read" },
  { method: "GET", path: "/api/v1/stats", action: "agents.read" },
  {
    method: "POST",
    path: `${A}/:name/reload`,
    action: "agents.deploy",
    target: "agent",
    audited: true,
  },
  {
    method: "POST",
    path: `${A}/:name/start`,
    action: "agents.lifecycle",
    target: "agent",
    audited: true,
  },
  {
    method: "POST",
    path: `${A}/:name/stop`,
    action: "agents.lifecycle",
    target: "agent",
    audited: true,
  },
  { method: "POST", path: `${A}/:name/request`, action: "messages.send", target: "agent" },
  { method: "GET", path: `${A}/:name/state`, action: "state.read", target: "agent" },
  { method: "GET", path: `${A}/:name/state/:key{.+}`, action: "state.read", target: "agent" },
  { method: "GET", path: "/api/v1/backup", action: "backup.create", audited: true },
  { method: "GET", path: "/api/v1/cluster", action: "cluster.read" },
  { method: "GET", path: "/api/v1/cluster/agents", action: "cluster.read" },
  { method: "GET", path: "/api/v1/conversations/:id", action: "messages.read" },
  { method: "GET", path: "/api/v1/conversations/:id/trace", action: "messages.read" },
  { method: "GET", path: "/api/v1/conversations/:id/check", action: "messages.read" },
  { method: "POST", path: "/api/v1/jobs", action: "messages.send" },
  { method: "GET", path: "/api/v1/jobs/:id", action: "messages.read" },
  { method: "GET", path: "/api/v1/messages", action: "messages.read" },
  { method: "POST", path: "/api/v1/messages", action: "messages.send" },
  { method: "GET", path: "/api/v1/messages/tail", action: "messages.read" },
  { method: "GET", path: P, action: "participants.manage" },
  {
    method: "PUT",
    path: `${P}/:name`,
    action: "participants.manage",
    target: "participant",
    audited: true,
  },
  {
    method: "DELETE",
    path: `${P}/:name`,
    action: "participants.manage",
    target: "participant",
    audited: true,
  },
  { method: "GET", path: `${P}/:name`, action: "participants.act", target: "participant" },
  {
    method: "GET",
    path: `${P}/:name/messages`,
    action: "participants.act",
    target: "participant",
  },
  {
    method: "POST",
    path: `${P}/:name/messages`,
    action: "participants.act",
    target: "participant",
  },
  { method: "GET", path: `${P}/:name/stream`, action: "participants.act", target: "participant" },
  { method: "GET", path: "/api/v1/tools", action: "tools.read" },
  { method: "ALL", path: "/mcp", action: "mcp.use" },
  // Security's own routes (src/api/security.ts).
  { method: "GET", path: "/api/v1/whoami", action: "self.read" },
  { method: "GET", path: "/api/v1/keys", action: "keys.manage" },
  { method: "POST", path: "/api/v1/keys", action: "keys.manage", audited: true },
  { method: "DELETE", path: "/api/v1/keys/:id", action: "keys.manage", audited: true },
  { method: "GET", path: "/api/v1/audit", action: "audit.read" },
  { method: "GET", path: "/api/v1/audit/verify", action: "audit.read" },
  // The dashboard's files (src/api/ui.ts) hold no data, and a browser cannot attach a bearer
  // to a page load: they are open, and everything the page shows comes through the routes
  // above with the user's key (docs/UI.md).
  { method: "GET", path: "/ui", action: "public" },
  { method: "GET", path: "/ui/:file", action: "public" },
  { method: "GET", path: "/ui/:file{.*}", action: "public" },
];

/** A rule matched against a request, with its target resolved. */
export interface MatchedRoute {
  rule: RouteRule;
  target: string | null;
}

interface _Compiled {
  rule: RouteRule;
  re: RegExp;
  hasName: boolean;
}

/** `/a/:b/c` → a RegExp capturing `:name` (if any) as group `name`. */
function _compile(path: string): RegExp {
  const source = path.split("/").map((segment) => {
    if (segment === "*") return ".*";
    const param = segment.match(/^:(\w+)(?:\{(.+)\})?$/);
    if (!param) return segment.replace(/[.+?^${}()|[\]\\*]/g, "\\$&");
    const inner = param[2] ?? "[^/]+";
    return param[1] === "name" ? `(?<name>${inner})` : `(?:${inner})`;
  }).join("/");
  return new RegExp(`^${source}/?$`);
}

/** Finds the rule of a request in a table (the first that matches). */
export class RouteMatcher {
  readonly #byMethod = new Map<string, _Compiled[]>();

  constructor(table: readonly RouteRule[] = ROUTE_TABLE) {
    for (const rule of table) {
      const compiled = { rule, re: _compile(rule.path), hasName: rule.path.includes(":name") };
      const methods = rule.method === "ALL" ? ["GET", "PUT", "POST", "DELETE", "PATCH"] : [
        rule.method,
      ];
      for (const m of rule.method === "GET" ? [...methods, "HEAD"] : methods) {
        const list = this.#byMethod.get(m) ?? [];
        list.push(compiled);
        this.#byMethod.set(m, list);
      }
    }
  }

  /** The rule for `method path`, or null when the table has none. */
  match(method: string, path: string): MatchedRoute | null {
    const list = this.#byMethod.get(method);
    if (!list) return null;
    for (const c of list) {
      const m = c.re.exec(path);
      if (!m) continue;
      const name = c.hasName ? _decode(m.groups!.name!) : null;
      const target = name === null
        ? null
        : c.rule.target === "participant"
        ? `ext:${name.replace(/^ext:/, "")}`
        : name;
      return { rule: c.rule, target };
    }
    return null;
  }
}

function _decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
