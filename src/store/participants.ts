/** Outside participants' registrations, so they outlive a restart. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A registration as stored; `options` is the participant's JSON options. */
export interface ParticipantRecord {
  name: string;
  options: Record<string, unknown>;
  createdAt: number;
}

/** Repository of participant registrations. */
export class ParticipantRepository {
  readonly #put: StatementSync;
  readonly #remove: StatementSync;
  readonly #all: StatementSync;

  constructor(db: DatabaseSync) {
    this.#put = db.prepare(
      `INSERT INTO participants (name, options, created_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET options = excluded.options`,
    );
    this.#remove = db.prepare("DELETE FROM participants WHERE name = ?");
    this.#all = db.prepare("SELECT * FROM participants ORDER BY name");
  }

  /** Records or replaces a registration. */
  put(name: string, options: Record<string, unknown>): void {
    this.#put.run(name, JSON.stringify(options), Date.now());
  }

  remove(name: string): void {
    this.#remove.run(name);
  }

  list(): ParticipantRecord[] {
    return (this.#all.all() as Record<string, unknown>[]).map((row) => ({
      name: row.name as string,
      options: JSON.parse(row.options as string) as Record<string, unknown>,
      createdAt: row.created_at as number,
    }));
  }
}
