/** API keys as stored: the hash of the secret, never the secret itself (issue 17). */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { camelCaseRow } from "./camel_row.ts";

/** A stored key. `id` is its visible prefix. */
export interface ApiKeyRecord {
  id: string;
  /** SHA-256 hex of the whole key. */
  hash: string;
  role: string;
  /** A label; for role `participant`, the `ext:` name it may act as. */
  name: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** Repository of API keys. */
export class ApiKeyRepository {
  readonly #insert: StatementSync;
  readonly #byId: StatementSync;
  readonly #all: StatementSync;
  readonly #revoke: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO api_keys (id, hash, role, name, created_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL)`,
    );
    this.#byId = db.prepare("SELECT * FROM api_keys WHERE id = ?");
    this.#all = db.prepare("SELECT * FROM api_keys ORDER BY created_at, id");
    this.#revoke = db.prepare(
      "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    );
  }

  add(key: Omit<ApiKeyRecord, "revokedAt">): void {
    this.#insert.run(key.id, key.hash, key.role, key.name, key.createdAt, key.expiresAt);
  }

  byId(id: string): ApiKeyRecord | null {
    const row = this.#byId.get(id) as Record<string, unknown> | undefined;
    return row ? camelCaseRow<ApiKeyRecord>(row) : null;
  }

  list(): ApiKeyRecord[] {
    return (this.#all.all() as Record<string, unknown>[]).map(camelCaseRow<ApiKeyRecord>);
  }

  /** Marks a key revoked; false when it is unknown or was revoked already. */
  revoke(id: string, at = Date.now()): boolean {
    return Number(this.#revoke.run(at, id).changes) > 0;
  }
}
