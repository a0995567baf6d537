/** Content-addressed module bytes: the original and its metered build. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A prepared module as stored. */
export interface ModuleRecord {
  hash: string;
  original: Uint8Array;
  metered: Uint8Array;
  sizeBytes: number;
  hasInit: boolean;
  /** The preparation options the metered build was made with, as JSON. */
  options: string;
}

/** Repository of modules keyed by content hash. */
export class ModuleRepository {
  readonly #put: StatementSync;
  readonly #get: StatementSync;
  readonly #has: StatementSync;

  constructor(db: DatabaseSync) {
    this.#put = db.prepare(
      `INSERT INTO modules (hash, original, metered, size_bytes, has_init, options, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET metered = excluded.metered, options = excluded.options`,
    );
    this.#get = db.prepare("SELECT * FROM modules WHERE hash = ?");
    this.#has = db.prepare("SELECT options FROM modules WHERE hash = ?");
  }

  /** Stores (or re-stores with new options) a module. */
  put(m: ModuleRecord): void {
    this.#put.run(
      m.hash,
      m.original,
      m.metered,
      m.sizeBytes,
      m.hasInit ? 1 : 0,
      m.options,
      new Date().toISOString(),
    );
  }

  /** The module with this hash, if stored. */
  byHash(hash: string): ModuleRecord | undefined {
    const row = this.#get.get(hash) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    return {
      hash: row.hash as string,
      original: row.original as Uint8Array,
      metered: row.metered as Uint8Array,
      sizeBytes: row.size_bytes as number,
      hasInit: row.has_init === 1,
      options: row.options as string,
    };
  }

  /** The preparation options of a stored module, to decide whether its metered build is reusable. */
  optionsOf(hash: string): string | undefined {
    return (this.#has.get(hash) as { options: string } | undefined)?.options;
  }
}
