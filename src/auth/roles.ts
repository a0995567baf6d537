/**
 * Roles as data (issue 17): a role is a list of grants, each an action (or
 * `*`, or `area.*`) optionally limited to target patterns such as `team-a.*`.
 * `$self` in a pattern stands for the caller's own name (a participant key's
 * `ext:` name). Anything not granted is denied.
 */
import { type Action, ACTIONS } from "./actions.ts";

/** One permission: an action pattern and, optionally, the targets it covers. */
export interface Grant {
  /** An action, `area.*` or `*`. */
  action: string;
  /** Target patterns (`*` wildcard); absent: every target. */
  targets?: string[];
}

/** A named set of grants. */
export interface Role {
  name: string;
  grants: Grant[];
}

const _READS: Action[] = ACTIONS.filter((a) => a.endsWith(".read"));

/** The built-in roles. Custom roles come from config (security_config.ts). */
export const BUILTIN_ROLES: readonly Role[] = [
  { name: "admin", grants: [{ action: "*" }] },
  {
    name: "operator",
    grants: [
      ..._READS.map((action) => ({ action })),
      { action: "agents.*" },
      { action: "messages.*" },
      { action: "participants.*" },
      { action: "mcp.use" },
      { action: "backup.create" },
    ],
  },
  {
    name: "developer",
    grants: [
      ..._READS.filter((a) => a !== "audit.read").map((action) => ({ action })),
      { action: "agents.*" },
      { action: "messages.*" },
      { action: "participants.*" },
      { action: "mcp.use" },
    ],
  },
  {
    name: "viewer",
    grants: _READS.filter((a) => a !== "audit.read").map((action) => ({ action })),
  },
  {
    name: "participant",
    grants: [{ action: "participants.act", targets: ["$self"] }, { action: "self.read" }],
  },
];

/** A grant's pattern as a test. */
function _matcher(pattern: string): (value: string) => boolean {
  if (pattern === "*") return () => true;
  if (!pattern.includes("*")) return (value) => value === pattern;
  const re = new RegExp(
    `^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`,
  );
  return (value) => re.test(value);
}

/** A role compiled for the request path: action → target test. */
export class CompiledRole {
  readonly name: string;
  readonly #byAction = new Map<
    Action,
    {
      all: boolean;
      patterns: string[];
      tests: ((target: string, self: string | null) => boolean)[];
    }
  >();

  constructor(role: Role) {
    this.name = role.name;
    for (const grant of role.grants) {
      const matches = _matcher(grant.action);
      if (!ACTIONS.some(matches)) {
        throw new TypeError(
          `Cannot define role "${role.name}": "${grant.action}" names no action; use one of ${
            ACTIONS.join(", ")
          }, an area such as "agents.*", or "*"`,
        );
      }
      for (const action of ACTIONS) {
        if (!matches(action)) continue;
        const entry = this.#byAction.get(action) ?? { all: false, patterns: [], tests: [] };
        if (grant.targets === undefined) entry.all = true;
        for (const p of grant.targets ?? []) {
          const test = _matcher(p);
          entry.patterns.push(p);
          entry.tests.push(p === "$self" ? (t, self) => self !== null && t === self : test);
        }
        this.#byAction.set(action, entry);
      }
    }
  }

  /** Whether this role may do `action` on `target` (null: no target); `self` replaces `$self`. */
  permits(action: Action, target: string | null, self: string | null): boolean {
    const entry = this.#byAction.get(action);
    if (!entry) return false;
    if (entry.all) return true;
    if (target === null) return false;
    return entry.tests.some((test) => test(target, self));
  }

  /** The actions granted, for `whoami`. */
  actions(): { action: Action; targets: string[] | "*" }[] {
    return [...this.#byAction].map(([action, e]) => ({
      action,
      targets: e.all ? "*" : e.patterns,
    }));
  }
}

/** Every role by name: the built-in ones, then custom ones (which may not reuse a built-in name). */
export function compileRoles(custom: readonly Role[] = []): Map<string, CompiledRole> {
  const roles = new Map<string, CompiledRole>();
  for (const role of [...BUILTIN_ROLES, ...custom]) {
    if (roles.has(role.name)) {
      throw new TypeError(`Cannot define role "${role.name}" twice: choose another name`);
    }
    roles.set(role.name, new CompiledRole(role));
  }
  return roles;
}
