/**
 * The `security` setting (issue 17, docs/SECURITY.md): when credentials are
 * required, JWT verification, custom roles, rate limits, audit retention and
 * circuit breakers. Parsed here; src/auth/ does the work.
 */

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface BucketConfig {
  burst: number;
  perSecond: number;
}

/** JWT bearer tokens verified against a JWKS. */
export interface JwtConfig {
  /** A JWKS URL (fetched and cached) or file; exactly one. */
  jwksUrl?: string;
  jwksFile?: string;
  issuer: string;
  audience: string;
  /** Asymmetric algorithms accepted; `none` and HS* are never. */
  algorithms: string[];
  /** The claim holding the role (default `caxton_role`). */
  roleClaim: string;
  /** Leeway for exp/nbf, seconds. */
  clockSkewSec: number;
}

/** A custom role: grants as in src/auth/roles.ts. */
export interface RoleConfig {
  name: string;
  grants: { action: string; targets?: string[] }[];
}

export interface SecurityConfig {
  /** `auto`: credentials required when listening beyond loopback (or when a token/JWKS is set); `required`: always. */
  auth: "auto" | "required";
  /** `/metrics` open to all, or `protected` (needs `metrics.read`). */
  metrics: "public" | "protected";
  jwt: JwtConfig | null;
  roles: RoleConfig[];
  /** Per role name (`*` for any role): per key and per target agent. */
  rateLimits: Record<string, { perKey?: BucketConfig; perAgent?: BucketConfig }>;
  /** Audit entries older than this are pruned (the chain keeps an anchor); 0 keeps them. */
  auditRetentionDays: number;
  auditPruneIntervalMs: number;
  /** Circuit breakers around webhooks and MCP servers. */
  breaker: { failureThreshold: number; coolDownMs: number };
}

export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

export function defaultSecurityConfig(): SecurityConfig {
  return {
    auth: "auto",
    metrics: "protected",
    jwt: null,
    roles: [],
    rateLimits: {},
    auditRetentionDays: 0,
    auditPruneIntervalMs: 3_600_000,
    breaker: { failureThreshold: 5, coolDownMs: 30_000 },
  };
}

/** The `security` settings found in the environment, if any. */
export function securityFromEnv(
  env: Record<string, string | undefined>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (env.CAXTON_AUTH !== undefined) out.auth = env.CAXTON_AUTH;
  if (env.CAXTON_METRICS !== undefined) out.metrics = env.CAXTON_METRICS;
  if (env.CAXTON_AUDIT_RETENTION_DAYS !== undefined) {
    out.auditRetentionDays = Number(env.CAXTON_AUDIT_RETENTION_DAYS);
  }
  const jwt: Record<string, unknown> = {};
  if (env.CAXTON_JWKS_URL !== undefined) jwt.jwksUrl = env.CAXTON_JWKS_URL;
  if (env.CAXTON_JWKS_FILE !== undefined) jwt.jwksFile = env.CAXTON_JWKS_FILE;
  if (env.CAXTON_JWT_ISSUER !== undefined) jwt.issuer = env.CAXTON_JWT_ISSUER;
  if (env.CAXTON_JWT_AUDIENCE !== undefined) jwt.audience = env.CAXTON_JWT_AUDIENCE;
  if (Object.keys(jwt).length > 0) out.jwt = jwt;
  return Object.keys(out).length > 0 ? out : undefined;
}

function _int(value: unknown, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TypeError(
      `security.${what}=${JSON.stringify(value)}: expected an integer from ${min} to ${max}`,
    );
  }
  return value as number;
}

function _bucket(value: unknown, what: string): BucketConfig {
  const b = value as Record<string, unknown>;
  if (typeof b !== "object" || b === null) {
    throw new TypeError(`security.${what}: expected { burst, perSecond }`);
  }
  const perSecond = b.perSecond;
  if (typeof perSecond !== "number" || !(perSecond > 0)) {
    throw new TypeError(
      `security.${what}.perSecond=${JSON.stringify(perSecond)}: expected a number above 0`,
    );
  }
  return { burst: _int(b.burst, `${what}.burst`, 1, 1_000_000), perSecond };
}

function _jwt(value: unknown, current: JwtConfig | null): JwtConfig {
  const v = value as Record<string, unknown>;
  if (typeof v !== "object" || v === null) {
    throw new TypeError("security.jwt: expected { jwksUrl | jwksFile, issuer, audience, … }");
  }
  const next: JwtConfig = current ? { ...current } : {
    issuer: "",
    audience: "",
    algorithms: ["RS256", "ES256", "EdDSA"],
    roleClaim: "caxton_role",
    clockSkewSec: 30,
  };
  for (const [key, field] of Object.entries(v)) {
    switch (key) {
      case "jwksUrl":
      case "jwksFile":
      case "issuer":
      case "audience":
      case "roleClaim":
        if (typeof field !== "string" || field === "") {
          throw new TypeError(`security.jwt.${key}: expected a non-empty string`);
        }
        next[key] = field;
        break;
      case "algorithms":
        if (
          !Array.isArray(field) || field.length === 0 ||
          !field.every((a) => ASYMMETRIC_ALGORITHMS.includes(a))
        ) {
          throw new TypeError(
            `security.jwt.algorithms=${JSON.stringify(field)}: use asymmetric algorithms only (${
              ASYMMETRIC_ALGORITHMS.join(", ")
            }); "none" and HS* are refused`,
          );
        }
        next.algorithms = field;
        break;
      case "clockSkewSec":
        next.clockSkewSec = _int(field, "jwt.clockSkewSec", 0, 300);
        break;
      default:
        throw new TypeError(`security.jwt.${key} is unknown`);
    }
  }
  if ((next.jwksUrl === undefined) === (next.jwksFile === undefined)) {
    throw new TypeError("security.jwt: give exactly one of jwksUrl and jwksFile");
  }
  if (next.jwksUrl !== undefined && !/^https?:\/\//.test(next.jwksUrl)) {
    throw new TypeError(`security.jwt.jwksUrl "${next.jwksUrl}": expected an http(s) URL`);
  }
  if (next.issuer === "" || next.audience === "") {
    throw new TypeError("security.jwt: issuer and audience are required");
  }
  return next;
}

function _roles(value: unknown): RoleConfig[] {
  if (!Array.isArray(value)) {
    throw new TypeError("security.roles: expected a list of { name, grants }");
  }
  return value.map((r, i) => {
    if (
      typeof r?.name !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(r.name) ||
      !Array.isArray(r.grants)
    ) {
      throw new TypeError(
        `security.roles[${i}]: expected { name: "lower-case", grants: [{ action, targets? }] }`,
      );
    }
    for (const g of r.grants) {
      if (
        typeof g?.action !== "string" ||
        (g.targets !== undefined &&
          (!Array.isArray(g.targets) || !g.targets.every((t: unknown) => typeof t === "string")))
      ) {
        throw new TypeError(
          `security.roles[${i}] "${r.name}": each grant is { action, targets?: [patterns] }`,
        );
      }
    }
    return { name: r.name, grants: r.grants };
  });
}

/** Reads `value` over `current`; throws TypeError naming the field at fault. */
export function parseSecurityConfig(value: unknown, current: SecurityConfig): SecurityConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`security=${JSON.stringify(value)}: expected an object (docs/SECURITY.md)`);
  }
  const next = { ...current };
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (field === undefined) continue;
    switch (key) {
      case "auth":
        if (field !== "auto" && field !== "required") {
          throw new TypeError(`security.auth=${JSON.stringify(field)}: use "auto" or "required"`);
        }
        next.auth = field;
        break;
      case "metrics":
        if (field !== "public" && field !== "protected") {
          throw new TypeError(
            `security.metrics=${JSON.stringify(field)}: use "public" or "protected"`,
          );
        }
        next.metrics = field;
        break;
      case "jwt":
        next.jwt = _jwt(field, current.jwt);
        break;
      case "roles":
        next.roles = _roles(field);
        break;
      case "rateLimits": {
        const limits: SecurityConfig["rateLimits"] = {};
        for (const [role, l] of Object.entries(field as Record<string, Record<string, unknown>>)) {
          limits[role] = {
            ...(l.perKey !== undefined
              ? { perKey: _bucket(l.perKey, `rateLimits.${role}.perKey`) }
              : {}),
            ...(l.perAgent !== undefined
              ? { perAgent: _bucket(l.perAgent, `rateLimits.${role}.perAgent`) }
              : {}),
          };
        }
        next.rateLimits = limits;
        break;
      }
      case "auditRetentionDays":
        next.auditRetentionDays = _int(field, key, 0, 36_500);
        break;
      case "auditPruneIntervalMs":
        next.auditPruneIntervalMs = _int(field, key, 10, 86_400_000);
        break;
      case "breaker": {
        const b = field as Record<string, unknown>;
        next.breaker = {
          failureThreshold: _int(
            b.failureThreshold ?? current.breaker.failureThreshold,
            "breaker.failureThreshold",
            1,
            10_000,
          ),
          coolDownMs: _int(
            b.coolDownMs ?? current.breaker.coolDownMs,
            "breaker.coolDownMs",
            10,
            86_400_000,
          ),
        };
        break;
      }
      default:
        throw new TypeError(`security.${key} is unknown; see docs/SECURITY.md`);
    }
  }
  return next;
}
