/**
 * @module
 * Authentication, roles, rate limits and the audit trail (issue 17,
 * docs/SECURITY.md): API keys and JWTs become principals; the route table
 * maps every route to an action; roles grant actions, default deny.
 */
export { ACTIONS, isAction } from "./actions.ts";
export type { Action } from "./actions.ts";
export { ApiKeyError, KeyRing, publicKey } from "./api_keys.ts";
export type { CreatedKey, PublicKey } from "./api_keys.ts";
export { Authenticator, refusal } from "./authenticator.ts";
export type { Refusal } from "./authenticator.ts";
export { JwtVerifier } from "./jwt.ts";
export type { AuthFailure, Principal } from "./principal.ts";
export { RateLimiter, rateLimitHeaders, TokenBuckets } from "./rate_limit.ts";
export type { BucketAnswer } from "./rate_limit.ts";
export { BUILTIN_ROLES, CompiledRole, compileRoles } from "./roles.ts";
export type { Grant, Role } from "./roles.ts";
export { ROUTE_TABLE, RouteMatcher } from "./route_table.ts";
export type { MatchedRoute, RouteRule } from "./route_table.ts";
export { createSecurity, InsecureStartError, isLoopback } from "./security.ts";
export type { Security } from "./security.ts";
export { parseExpiry } from "./expiry.ts";
export { AuditRetention } from "./audit_retention.ts";
