/** Per-agent key-value state, persisted in batches from the runtime. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** One state change made by an agent. `value: null` deletes. */
export interface StateWrite {
  key: string;
  value: Uint8Array | null;
}

/** One stored key and its value. */
export interface StateEntry {
  key: string;
  value: Uint8Array;
}

/** A page of an agent's state in key order; `next` is the last key when more follow. */
export interface StatePage {
  items: StateEntry[];
  next: string | null;
}

/** Repository of agent state. */
export class StateRepository {
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #all: StatementSync;
  readonly #get: StatementSync;
  readonly #page: StatementSync;

  constructor(db: DatabaseSync) {
    this.#set = db.prepare(
      "INSERT INTO agent_state (agent_id, key, value) VALUES (?, ?, ?) ON CONFLICT(agent_id, key) DO UPDATE SET value = excluded.value",
    );
    this.#delete = db.prepare("DELETE FROM agent_state WHERE agent_id = ? AND key = ?");
    this.#all = db.prepare("SELECT key, value FROM agent_state WHERE agent_id = ? ORDER BY key");
    this.#get = db.prepare("SELECT value FROM agent_state WHERE agent_id = ? AND key = ?");
    // substr/length count characters on both sides, so any prefix compares exactly.
    this.#page = db.prepare(
      `SELECT key, value FROM agent_state
       WHERE agent_id = ? AND key > ? AND substr(key, 1, length(?)) = ?
       ORDER BY key LIMIT ?`,
    );
  }

  /** Applies writes in order. Call inside a transaction so they land together. */
  apply(agentId: number, writes: readonly StateWrite[]): void {
    for (const w of writes) {
      if (w.value === null) this.#delete.run(agentId, w.key);
      else this.#set.run(agentId, w.key, w.value);
    }
  }

  /** The agent's whole state. */
  load(agentId: number): Map<string, Uint8Array> {
    const rows = this.#all.all(agentId) as { key: string; value: Uint8Array }[];
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** One value, if present. */
  get(agentId: number, key: string): Uint8Array | undefined {
    return (this.#get.get(agentId, key) as { value: Uint8Array } | undefined)?.value;
  }

  /** Keys starting with `prefix`, after the key `after`, at most `limit` of them. */
  page(
    agentId: number,
    options: { prefix?: string; after?: string; limit?: number } = {},
  ): StatePage {
    const { prefix = "", after = "", limit = 100 } = options;
    const rows = this.#page.all(
      agentId,
      after,
      prefix,
      prefix,
      limit + 1,
    ) as unknown as StateEntry[];
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? items.at(-1)!.key : null };
  }
}
