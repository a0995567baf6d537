/**
 * Opening the SQLite file: pragmas for a single-writer server and the
 * migration runner. Only `src/store/` touches `node:sqlite`.
 */
import { DatabaseSync } from "node:sqlite";
import { type Migration, MIGRATIONS } from "./migrations.ts";

/** Raised when the database cannot be opened or migrated. */
export class StoreOpenError extends Error {
  readonly code = "store_open_failed";
  constructor(readonly path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}

/** Opens (creating if needed) and migrates the database at `path` (`:memory:` allowed). */
export function openDatabase(
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (cause) {
    throw new StoreOpenError(
      path,
      `Cannot open database "${path}": ${
        (cause as Error).message
      }; check the data directory exists and is writable`,
      { cause },
    );
  }
  try {
    // WAL: readers never block the writer and never see a half-written transaction.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA busy_timeout = 5000");
    migrate(db, migrations);
  } catch (cause) {
    db.close();
    if (cause instanceof StoreOpenError) throw cause;
    throw new StoreOpenError(
      path,
      `Cannot open database "${path}": ${(cause as Error).message}; is it a Caxton database?`,
      { cause },
    );
  }
  return db;
}

/** The highest migration applied to `db`, 0 for a new database. */
export function schemaVersion(db: DatabaseSync): number {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as
    | { v: number | null }
    | undefined;
  return row?.v ?? 0;
}

/**
 * Applies every migration the database lacks, each in its own transaction. Versions are
 * numbered by branch, so one can land below a newer one already applied (14 after 15).
 */
function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[])
      .map((r) => r.version),
  );
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new StoreOpenError(
      "",
      `Cannot use a database at schema version ${current}: this Caxton knows versions up to ${newest}; upgrade Caxton`,
    );
  }
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
      db.exec("COMMIT");
    } catch (cause) {
      db.exec("ROLLBACK");
      throw cause;
    }
  }
}
