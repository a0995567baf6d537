/**
 * API keys (issue 17): `cxk_<8 hex>_<43 base64url>`, 256 random bits. The
 * store keeps the SHA-256 of the whole key (no slow KDF: the key is random
 * and long, so a fast hash is enough and keeps the check in microseconds)
 * and the visible prefix `cxk_<8 hex>` as the row's id, so a request finds
 * its row without scanning and compares hashes in constant time.
 */
import { createHash } from "node:crypto";
import type { ApiKeyRecord, ApiKeyRepository } from "../store/mod.ts";
import type { AuthFailure, Principal } from "./principal.ts";

const _KEY = /^cxk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

/** A new key as shown once to its creator. */
export interface CreatedKey {
  key: string;
  record: PublicKey;
}

/** What may be shown of a key: never its hash. */
export type PublicKey = Omit<ApiKeyRecord, "hash">;

/** Raised for a key operation that cannot be done. */
export class ApiKeyError extends Error {
  constructor(
    readonly code: "unknown_role" | "key_not_found" | "bad_key_request",
    message: string,
  ) {
    super(message);
    this.name = "ApiKeyError";
  }
}

function _sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** Equal bytes, in time that depends on the length only (node's timingSafeEqual costs ~4 µs here). */
function _sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

/** Equal strings, in time that depends on the length only. */
function _sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function _hex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

function _base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The public part of a stored key. */
export function publicKey({ hash: _hash, ...rest }: ApiKeyRecord): PublicKey {
  return rest;
}

/** Keys in memory over their repository: the request path never touches SQLite. */
export class KeyRing {
  readonly #repo: ApiKeyRepository;
  readonly #byId = new Map<
    string,
    { record: ApiKeyRecord; hash: Uint8Array; verified: string | null }
  >();
  readonly #roles: (role: string) => boolean;

  /** `roleExists` says which roles a key may be given. */
  constructor(repo: ApiKeyRepository, roleExists: (role: string) => boolean) {
    this.#repo = repo;
    this.#roles = roleExists;
    for (const record of repo.list()) this.#remember(record);
  }

  /** Keys that can still be used (not revoked, not expired). */
  activeCount(now = Date.now()): number {
    let n = 0;
    for (const { record } of this.#byId.values()) {
      if (record.revokedAt === null && (record.expiresAt === null || record.expiresAt > now)) n++;
    }
    return n;
  }

  /** Creates a key; the returned `key` is the only time it exists in clear. */
  create(options: { role: string; name?: string | null; expiresAt?: number | null }): CreatedKey {
    const { role, name = null, expiresAt = null } = options;
    if (!this.#roles(role)) {
      throw new ApiKeyError(
        "unknown_role",
        `Cannot create a key with role "${role}": no such role`,
      );
    }
    if (
      role === "participant" && (name === null || !/^(ext:)?[a-z0-9][a-z0-9._-]{0,62}$/.test(name))
    ) {
      throw new ApiKeyError(
        "bad_key_request",
        "Cannot create a participant key without its participant: give --name ext:<name>",
      );
    }
    if (expiresAt !== null && expiresAt <= Date.now()) {
      throw new ApiKeyError("bad_key_request", "Cannot create a key that has already expired");
    }
    const random = crypto.getRandomValues(new Uint8Array(36));
    const id = `cxk_${
      [...random.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("")
    }`;
    const key = `${id}_${_base64url(random.subarray(4))}`;
    const normalised = role === "participant" ? `ext:${name!.replace(/^ext:/, "")}` : name;
    const record: ApiKeyRecord = {
      id,
      hash: createHash("sha256").update(key).digest("hex"),
      role,
      name: normalised,
      createdAt: Date.now(),
      expiresAt,
      revokedAt: null,
    };
    this.#repo.add(record);
    this.#remember(record);
    return { key, record: publicKey(record) };
  }

  list(): PublicKey[] {
    return this.#repo.list().map(publicKey);
  }

  /** Revokes a key by its id (the visible prefix). */
  revoke(id: string): PublicKey {
    this.#repo.revoke(id);
    const record = this.#repo.byId(id);
    if (!record) {
      throw new ApiKeyError("key_not_found", `Cannot revoke key "${id}": no such key`);
    }
    this.#remember(record);
    return publicKey(record);
  }

  /** Checks a presented key: a principal, or why not. */
  authenticate(presented: string, now = Date.now()): Principal | AuthFailure {
    // Shape first (cheap); the characters are checked by the regex only off the fast path.
    if (presented.length !== 56 || presented.charCodeAt(12) !== 95 /* _ */) return "malformed";
    const id = presented.slice(0, 12);
    const entry = this.#byId.get(id);
    // A key that hashed right once is remembered (in memory only) and compared in constant
    // time: SHA-256 through node:crypto costs ~5-30 µs here, the compare well under one.
    if (entry?.verified == null || !_sameText(presented, entry.verified)) {
      if (!_KEY.test(presented)) return "malformed";
      // Hash even when the id is unknown, so the time taken does not say whether it exists.
      const hash = _sha256(presented);
      if (!entry || !_sameBytes(hash, entry.hash)) return "unknown_key";
      entry.verified = presented;
    }
    const { record } = entry;
    if (record.revokedAt !== null) return "revoked";
    if (record.expiresAt !== null && record.expiresAt <= now) return "expired";
    return {
      id: record.id,
      kind: "api_key",
      role: record.role,
      self: record.role === "participant" ? record.name : null,
      expiresAt: record.expiresAt,
    };
  }

  #remember(record: ApiKeyRecord): void {
    const known = this.#byId.get(record.id);
    this.#byId.set(record.id, {
      record,
      hash: _hex(record.hash),
      verified: known?.record.hash === record.hash ? known.verified : null,
    });
  }
}

/** Whether a bearer credential looks like an API key (not a JWT or the static token). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith("cxk_");
}
