/**
 * Content-addressed modules: the bytes as deployed, and their metered builds,
 * one per set of preparation options (fuel budget, memory cap).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A metered build of a module, ready to compile. */
export interface ModuleBuild {
  hash: string;
  /** The preparation options, as a canonical JSON key. */
  options: string;
  metered: Uint8Array;
  hasInit: boolean;
}

/** Repository of modules keyed by content hash. */
export class ModuleRepository {
  readonly #putModule: StatementSync;
  readonly #putBuild: StatementSync;
  readonly #build: StatementSync;
  readonly #original: StatementSync;

  constructor(db: DatabaseSync) {
    this.#putModule = db.prepare(
      `INSERT INTO modules (hash, original, size_bytes, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(hash) DO NOTHING`,
    );
    this.#putBuild = db.prepare(
      `INSERT INTO module_builds (hash, options, metered, has_init) VALUES (?, ?, ?, ?)
       ON CONFLICT(hash, options) DO NOTHING`,
    );
    this.#build = db.prepare("SELECT * FROM module_builds WHERE hash = ? AND options = ?");
    this.#original = db.prepare("SELECT original FROM modules WHERE hash = ?");
  }

  /** Stores a module's original bytes (once) and one metered build of it. */
  put(original: Uint8Array, build: ModuleBuild): void {
    this.#putModule.run(build.hash, original, original.length, new Date().toISOString());
    this.#putBuild.run(build.hash, build.options, build.metered, build.hasInit ? 1 : 0);
  }

  /** The metered build of `hash` made with `options`, if stored. */
  build(hash: string, options: string): ModuleBuild | undefined {
    const row = this.#build.get(hash, options) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    return {
      hash,
      options,
      metered: row.metered as Uint8Array,
      hasInit: row.has_init === 1,
    };
  }

  /** The bytes as deployed. */
  original(hash: string): Uint8Array | undefined {
    return (this.#original.get(hash) as { original: Uint8Array } | undefined)?.original;
  }
}
