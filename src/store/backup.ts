/**
 * Backup of a live database and restore into a data directory. `VACUUM INTO`
 * runs inside a read transaction, so it copies a consistent snapshot while the
 * server keeps writing (WAL lets the writer go on).
 */
import { DatabaseSync } from "node:sqlite";
import { existsSync, renameSync, rmSync } from "node:fs";
import { schemaVersion } from "./database.ts";
import { MIGRATIONS } from "./migrations.ts";

/** Raised when a backup or restore cannot be done. */
export class BackupError extends Error {
  readonly code = "backup_failed";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackupError";
  }
}

/** Writes a consistent copy of the open database to `target` (must not exist). */
export function backupDatabase(db: DatabaseSync, target: string): void {
  if (existsSync(target)) {
    throw new BackupError(
      `Cannot back up to "${target}": the file exists; choose a new path or remove it`,
    );
  }
  try {
    db.prepare("VACUUM INTO ?").run(target);
  } catch (cause) {
    throw new BackupError(`Cannot back up to "${target}": ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Checks a backup file is an intact Caxton database this version can open. */
export function verifyBackup(source: string): { schemaVersion: number; agents: number } {
  if (!existsSync(source)) {
    throw new BackupError(`Cannot restore "${source}": no such file`);
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(source, { readOnly: true });
    const ok = db.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
    if (ok.integrity_check !== "ok") {
      throw new BackupError(
        `Cannot restore "${source}": integrity check failed (${ok.integrity_check})`,
      );
    }
    const version = schemaVersion(db);
    const newest = MIGRATIONS.at(-1)!.version;
    if (version < 1 || version > newest) {
      throw new BackupError(
        `Cannot restore "${source}": schema version ${version} is not a Caxton database this version (1..${newest}) can open`,
      );
    }
    const { n } = db.prepare("SELECT COUNT(*) AS n FROM agents").get() as { n: number };
    return { schemaVersion: version, agents: n };
  } catch (cause) {
    if (cause instanceof BackupError) throw cause;
    throw new BackupError(
      `Cannot restore "${source}": ${(cause as Error).message}; is it a Caxton backup?`,
      { cause },
    );
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database at `target` by the backup at `source`. The server
 * using `target` must be stopped. The old file is kept as `<target>.before-restore`
 * so a mistaken restore loses nothing.
 */
export function restoreDatabase(source: string, target: string): { agents: number } {
  const { agents } = verifyBackup(source);
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  const src = new DatabaseSync(source, { readOnly: true });
  try {
    src.prepare("VACUUM INTO ?").run(staging);
  } finally {
    src.close();
  }
  if (existsSync(target)) {
    rmSync(`${target}.before-restore`, { force: true });
    renameSync(target, `${target}.before-restore`);
  }
  for (const suffix of ["-wal", "-shm"]) rmSync(target + suffix, { force: true });
  renameSync(staging, target);
  return { agents };
}
