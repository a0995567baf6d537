/**
 * One node per data directory. The lock is a SQLite file (`caxton.lock`)
 * held in exclusive locking mode: the operating system drops the lock when
 * the holder exits in any way, `kill -9` included, so a restart never finds a
 * stale lock (a pid file would need guessing whether its pid still lives).
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** Who holds a data directory, as the holder recorded it. */
export interface DataDirHolder {
  pid: number;
  url: string | null;
}

/** Raised when another process holds the data directory. */
export class DataDirLockedError extends Error {
  readonly code = "data_dir_locked";
  constructor(readonly dataDir: string, readonly holder: DataDirHolder | null) {
    super(
      `Cannot use data dir "${dataDir}": another Caxton node holds it (${
        holder
          ? `pid ${holder.pid}${holder.url ? `, ${holder.url}` : ""}`
          : "it has not said where it listens"
      }); stop that node, or give this one its own directory with --data-dir or CAXTON_DATA_DIR`,
    );
    this.name = "DataDirLockedError";
  }
}

/** A held data directory; `release()` (or process exit) frees it. */
export interface DataDirLock extends Disposable {
  release(): void;
}

/**
 * Takes the exclusive lock of `dataDir` (which must exist) without waiting.
 * `holder` is asked who holds it only when the lock is taken.
 */
export function lockDataDir(
  dataDir: string,
  options: { holder?: () => DataDirHolder | null } = {},
): DataDirLock {
  const db = new DatabaseSync(join(dataDir, "caxton.lock"));
  try {
    // Fail at once instead of waiting; no journal file is left beside the lock.
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA journal_mode = MEMORY");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    // In exclusive locking mode the lock taken here is kept until the connection closes.
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
  } catch (cause) {
    db.close();
    if (/locked|busy/i.test((cause as Error).message)) {
      throw new DataDirLockedError(dataDir, options.holder?.() ?? null);
    }
    throw cause;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    db.close();
  };
  return { release, [Symbol.dispose]: release };
}
