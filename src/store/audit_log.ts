/**
 * The audit trail (issue 17): append-only, hash-chained. Each entry's hash
 * covers its own fields and the previous entry's hash, so editing, deleting
 * or reordering a row breaks the chain at that row. Pruning the oldest
 * entries leaves an anchor (the last pruned seq and hash) the rest starts from.
 *
 * Entries are chained at once, in order, and written in a group commit: one
 * transaction per batch, at most `_FLUSH_MS` after the first (measured here,
 * a commit per entry costs several times the hash and insert together).
 * Reads, pruning and `close()` flush first; a crash can lose the last few ms.
 */
import { createHash } from "node:crypto";
import { camelCaseRow } from "./camel_row.ts";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** What an entry says, before it is chained. */
export interface AuditEvent {
  /** Who: a key id, `jwt:<subject>`, `token`, `local` or `anonymous`. */
  actor: string;
  role: string | null;
  /** What: an action such as `agents.deploy`, or `auth.denied`. */
  action: string;
  target: string | null;
  /** From where: the remote address. */
  source: string | null;
  outcome: "ok" | "denied" | "failed";
  status: number | null;
  detail: string | null;
}

/** An entry as stored. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  /** When, Unix epoch milliseconds. */
  at: number;
  prevHash: string;
  hash: string;
}

/** The result of walking the chain. */
export type AuditVerdict =
  | { ok: true; entries: number; firstSeq: number | null; lastSeq: number | null }
  | { ok: false; entries: number; seq: number; problem: string };

const _FLUSH_MS = 5;
const _FLUSH_AT = 256;

/** The hash before the first entry ever written. */
export const AUDIT_GENESIS = "0".repeat(64);

/** The hash of an entry: its fields and the previous hash, in a fixed order. */
export function auditHash(e: Omit<AuditEntry, "hash">): string {
  return createHash("sha256").update(JSON.stringify(_chained(e))).digest("hex");
}

/** The fields an entry's hash covers, in the order of the table's columns before `hash`. */
function _chained(e: Omit<AuditEntry, "hash">) {
  return [
    e.seq,
    e.at,
    e.actor,
    e.role,
    e.action,
    e.target,
    e.source,
    e.outcome,
    e.status,
    e.detail,
    e.prevHash,
  ] as const;
}

/** Repository of the audit trail; the store's single connection is its only writer. */
export class AuditLog {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #page: StatementSync;
  readonly #anchor: StatementSync;
  readonly #transaction: (fn: () => void) => void;
  #last: { seq: number; hash: string } | null = null;
  #pending: AuditEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `transaction` runs a function atomically (the store's, so batches nest in its transactions). */
  constructor(db: DatabaseSync, transaction: (fn: () => void) => void) {
    this.#db = db;
    this.#transaction = transaction;
    this.#insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor, role, action, target, source, outcome, status,
         detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#page = db.prepare("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
    this.#anchor = db.prepare("SELECT seq, hash FROM audit_anchor WHERE id = 1");
  }

  /** Appends one entry, chained to the last; returns it. */
  append(event: AuditEvent, at = Date.now()): AuditEntry {
    const last = this.#last ??= this.#tail();
    const entry = { ...event, seq: last.seq + 1, at, prevHash: last.hash, hash: "" };
    entry.hash = auditHash(entry);
    this.#last = { seq: entry.seq, hash: entry.hash };
    this.#pending.push(entry);
    if (this.#pending.length >= _FLUSH_AT) this.flush();
    else this.#timer ??= setTimeout(this.#flushLater, _FLUSH_MS);
    return entry;
  }

  /** A failed timed flush keeps its entries for the next one (or close) rather than crash the node. */
  readonly #flushLater = () => {
    try {
      this.flush();
    } catch { /* retried by the next append, read or close */ }
  };

  /** Writes the entries appended so far, in one transaction. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#transaction(() => {
        for (const e of batch) {
          this.#insert.run(..._chained(e), e.hash);
        }
      });
    } catch (error) {
      // Kept for the next flush, in order; the chain in memory is unchanged.
      this.#pending = [...batch, ...this.#pending];
      throw error;
    }
  }

  /** Entries after `after` (a seq), oldest first. */
  list(options: { after?: number; limit?: number } = {}): AuditEntry[] {
    const { after = 0, limit = 100 } = options;
    this.flush();
    return (this.#page.all(after, limit) as Record<string, unknown>[]).map(
      camelCaseRow<AuditEntry>,
    );
  }

  /** Walks the whole chain from the anchor (or the genesis) and says where it breaks. */
  verify(): AuditVerdict {
    this.flush();
    const anchor = this.#anchor.get() as { seq: number; hash: string } | undefined;
    let expected = anchor
      ? { seq: anchor.seq, hash: anchor.hash }
      : { seq: 0, hash: AUDIT_GENESIS };
    let entries = 0;
    let firstSeq: number | null = null;
    for (let page = this.list({ after: 0, limit: 1000 }); page.length > 0;) {
      for (const e of page) {
        if (e.seq !== expected.seq + 1) {
          return _broken(
            entries,
            e.seq,
            `expected entry ${
              expected.seq + 1
            } next, found ${e.seq}: entries were deleted or reordered`,
          );
        }
        if (e.prevHash !== expected.hash) {
          return _broken(
            entries,
            e.seq,
            `entry ${e.seq} does not follow entry ${expected.seq}: its previous hash differs`,
          );
        }
        if (auditHash(e) !== e.hash) {
          return _broken(
            entries,
            e.seq,
            `entry ${e.seq} was changed after it was written: its hash does not match its fields`,
          );
        }
        expected = { seq: e.seq, hash: e.hash };
        firstSeq ??= e.seq;
        entries++;
      }
      page = this.list({ after: expected.seq, limit: 1000 });
    }
    return { ok: true, entries, firstSeq, lastSeq: entries > 0 ? expected.seq : null };
  }

  /** Deletes entries older than `before` (epoch ms), keeping the chain verifiable; returns how many. */
  pruneBefore(before: number): number {
    this.flush();
    const row = this.#db.prepare(
      "SELECT seq, hash FROM audit_log WHERE at < ? ORDER BY seq DESC LIMIT 1",
    ).get(before) as { seq: number; hash: string } | undefined;
    if (!row) return 0;
    let deleted = 0;
    this.#transaction(() => {
      deleted = Number(
        this.#db.prepare("DELETE FROM audit_log WHERE seq <= ?").run(row.seq).changes,
      );
      this.#db.prepare(
        `INSERT INTO audit_anchor (id, seq, hash, pruned_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
           pruned_at = excluded.pruned_at`,
      ).run(row.seq, row.hash, Date.now());
    });
    return deleted;
  }

  /** The newest entry, else the anchor, else the genesis. */
  #tail(): { seq: number; hash: string } {
    const last = this.#db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
      .get() as { seq: number; hash: string } | undefined;
    const anchor = this.#anchor.get() as { seq: number; hash: string } | undefined;
    return last ?? anchor ?? { seq: 0, hash: AUDIT_GENESIS };
  }
}

function _broken(entries: number, seq: number, problem: string): AuditVerdict {
  return { ok: false, entries, seq, problem };
}
