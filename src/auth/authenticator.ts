/**
 * Turns an `Authorization` header into a principal: an API key
 * (`cxk_…`), a JWT (three dot-separated parts, when a JWKS is configured)
 * or the static token, the simplest mode.
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import type { KeyRing } from "./api_keys.ts";
import type { JwtVerifier } from "./jwt.ts";
import type { AuthFailure, Principal } from "./principal.ts";

/** A refused credential with the reason shown in the 401. */
export interface Refusal {
  failure: AuthFailure;
  reason: string;
}

const _REASONS: Record<AuthFailure, string> = {
  missing: "This server requires credentials: a bearer API key, JWT or token",
  malformed: "The Authorization header is not `Bearer <credential>`",
  unknown_key: "The API key is not known",
  revoked: "The API key has been revoked",
  expired: "The credential has expired",
  invalid_token: "The bearer token is not valid",
};

/** The reason text of a failure. */
export function refusal(failure: AuthFailure, why?: string): Refusal {
  return { failure, reason: why ? `${_REASONS[failure]}: ${why}` : _REASONS[failure] };
}

/** The credential of `Bearer <credential>` (scheme case-insensitive), or null. */
function _bearer(header: string): string | null {
  if (header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") return null;
  const credential = header.slice(7).trim();
  return credential === "" || /\s/.test(credential) ? null : credential;
}

/** Three dot-separated parts. */
function _isJwt(credential: string): boolean {
  const first = credential.indexOf(".");
  const second = first < 0 ? -1 : credential.indexOf(".", first + 1);
  return second > 0 && credential.indexOf(".", second + 1) < 0;
}

/** Checks bearer credentials of every kind the node accepts. */
export class Authenticator {
  readonly #keys: KeyRing;
  readonly #jwt: JwtVerifier | null;
  readonly #token: Buffer | null;

  constructor(options: { keys: KeyRing; jwt?: JwtVerifier | null; staticToken?: string | null }) {
    this.#keys = options.keys;
    this.#jwt = options.jwt ?? null;
    this.#token = options.staticToken ? Buffer.from(options.staticToken) : null;
  }

  /** The principal of an `Authorization` header value, or why it is refused. */
  authenticate(
    header: string,
    now = Date.now(),
  ): Principal | Refusal | Promise<Principal | Refusal> {
    const credential = _bearer(header);
    if (credential === null) return refusal("malformed");
    if (credential.startsWith("cxk_")) {
      const result = this.#keys.authenticate(credential, now);
      return typeof result === "string" ? refusal(result) : result;
    }
    if (this.#jwt !== null && _isJwt(credential)) {
      // A token verified before answers without a promise; a new one is checked by jose.
      const known = this.#jwt.known(credential, now);
      if (known !== null) return "failure" in known ? refusal(known.failure, known.reason) : known;
      return this.#jwt.verify(credential, now).then((result) =>
        "failure" in result ? refusal(result.failure, result.reason) : result
      );
    }
    if (this.#token !== null) {
      const given = Buffer.from(credential);
      // Compare equal lengths only; the length of the configured token is not a secret worth hiding.
      if (given.length === this.#token.length && timingSafeEqual(given, this.#token)) {
        return { id: "token", kind: "token", role: "admin", self: null, expiresAt: null };
      }
    }
    return refusal("invalid_token");
  }
}
