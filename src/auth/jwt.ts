/**
 * JWT bearer tokens (issue 17), verified by `jose` against a JWKS (a file,
 * or a URL fetched and cached): issuer, audience, exp/nbf with a small skew,
 * and only the configured asymmetric algorithms, so `alg: none` and HS/RS
 * confusion (an HMAC signed with a public key) are refused. The role comes
 * from a configurable claim. A verified token is remembered until it expires,
 * so a client reusing it pays a map lookup, not a signature check.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import type { JwtConfig } from "../config/mod.ts";
import type { AuthFailure, Principal } from "./principal.ts";

const _CACHE_MAX = 10_000;

/** Why a token was refused, for the 401's detail. */
export interface JwtRefusal {
  failure: AuthFailure;
  reason: string;
}

/** Verifies bearer JWTs against one key set. */
export class JwtVerifier {
  readonly #config: JwtConfig;
  readonly #keys: JWTVerifyGetKey;
  readonly #verified = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(config: JwtConfig) {
    this.#config = config;
    if (config.jwksUrl !== undefined) {
      this.#keys = createRemoteJWKSet(new URL(config.jwksUrl), {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
      });
    } else {
      let jwks: JSONWebKeySet;
      try {
        jwks = JSON.parse(Deno.readTextFileSync(config.jwksFile!));
      } catch (error) {
        throw new TypeError(
          `Cannot read the JWKS file "${config.jwksFile}": ${(error as Error).message}`,
        );
      }
      this.#keys = createLocalJWKSet(jwks);
    }
  }

  /** A principal for `token`, or why it is refused. */
  /** The answer for a token verified before, or null when it has not been. */
  known(token: string, now = Date.now()): Principal | JwtRefusal | null {
    const known = this.#verified.get(token);
    if (!known) return null;
    if (now < known.untilMs) return known.principal;
    this.#verified.delete(token);
    return { failure: "expired", reason: "the token has expired" };
  }

  async verify(token: string, now = Date.now()): Promise<Principal | JwtRefusal> {
    const known = this.known(token, now);
    if (known) return known;
    const c = this.#config;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: c.issuer,
        audience: c.audience,
        algorithms: c.algorithms,
        clockTolerance: c.clockSkewSec,
        requiredClaims: ["exp", "sub"],
        currentDate: new Date(now),
      }));
    } catch (error) {
      return _refusal(error);
    }
    const role = payload[c.roleClaim];
    if (typeof role !== "string" || role === "") {
      return { failure: "invalid_token", reason: `the token has no "${c.roleClaim}" claim` };
    }
    const principal: Principal = {
      id: `jwt:${payload.sub}`,
      kind: "jwt",
      role,
      self: role === "participant" ? `ext:${String(payload.sub).replace(/^ext:/, "")}` : null,
      expiresAt: payload.exp! * 1000,
    };
    if (this.#verified.size >= _CACHE_MAX) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(token, { principal, untilMs: principal.expiresAt! + c.clockSkewSec * 1000 });
    return principal;
  }
}

function _refusal(error: unknown): JwtRefusal {
  if (error instanceof errors.JWTExpired) {
    return { failure: "expired", reason: "the token has expired" };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return {
      failure: "invalid_token",
      reason: `claim "${error.claim}" is not valid: ${error.reason}`,
    };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { failure: "invalid_token", reason: "its algorithm is not allowed" };
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return { failure: "invalid_token", reason: "no key in the JWKS matches its kid" };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { failure: "invalid_token", reason: "its signature does not verify" };
  }
  if (error instanceof errors.JOSEError) {
    return { failure: "invalid_token", reason: error.message };
  }
  return { failure: "invalid_token", reason: `it cannot be checked: ${(error as Error).message}` };
}
