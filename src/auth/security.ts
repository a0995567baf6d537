/**
 * A node's security, assembled from config and store: who may connect
 * (authenticator), what roles allow, rate limits and the audit trail.
 * main.ts builds one; the API's access middleware uses it on every request.
 */
import { type CaxtonConfig, ConfigError } from "../config/mod.ts";
import type { AuditEvent, Store } from "../store/mod.ts";
import { KeyRing } from "./api_keys.ts";
import { Authenticator } from "./authenticator.ts";
import { JwtVerifier } from "./jwt.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type CompiledRole, compileRoles, type Role } from "./roles.ts";

/** Raised when a node would listen beyond loopback with no way to authenticate. */
export class InsecureStartError extends Error {
  readonly code = "no_credentials";
  constructor(message: string) {
    super(message);
    this.name = "InsecureStartError";
  }
}

/** Whether `host` is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

/** The security parts of a running node. */
export interface Security {
  /** Whether every non-public request needs credentials. */
  readonly required: boolean;
  readonly metricsPublic: boolean;
  readonly authenticator: Authenticator;
  readonly keys: KeyRing;
  readonly roles: ReadonlyMap<string, CompiledRole>;
  readonly limiter: RateLimiter;
  /** Appends to the audit trail. */
  audit(event: AuditEvent): void;
}

/**
 * Builds the node's security; throws {@linkcode InsecureStartError} when
 * credentials are required and none exist (no key, no JWKS, no token).
 */
export function createSecurity(
  config: Pick<CaxtonConfig, "host" | "apiToken" | "security" | "dataDir">,
  store: Pick<Store, "apiKeys" | "audit">,
): Security {
  const s = config.security;
  let roles: Map<string, CompiledRole>;
  try {
    roles = compileRoles(s.roles as Role[]);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message} (security.roles)`);
  }
  const keys = new KeyRing(store.apiKeys, (role) => roles.has(role));
  const jwt = s.jwt ? new JwtVerifier(s.jwt) : null;
  const required = s.auth === "required" || !isLoopback(config.host) ||
    config.apiToken !== null || jwt !== null;
  if (required && config.apiToken === null && jwt === null && keys.activeCount() === 0) {
    const where = config.host === "0.0.0.0" || config.host === "::"
      ? "every interface"
      : config.host;
    throw new InsecureStartError(
      `Cannot start on ${where} without credentials: no API key, JWKS or token is configured. Create an admin key first: \`caxton key create --role admin --offline --data-dir ${config.dataDir}\` (it is printed once), or set security.jwt, or apiToken (CAXTON_API_TOKEN); see docs/SECURITY.md`,
    );
  }
  return {
    required,
    metricsPublic: s.metrics === "public",
    authenticator: new Authenticator({ keys, jwt, staticToken: config.apiToken }),
    keys,
    roles,
    limiter: new RateLimiter(s.rateLimits),
    audit: (event) => store.audit.append(event),
  };
}
