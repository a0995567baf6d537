/** Per-agent key-value state, persisted in batches from the runtime. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** One state change made by an agent. `value: null` deletes. */
export interface StateWrite {
  key: string;
  value: Uint8Array | null;
}

/** Repository of agent state. */
export class StateRepository {
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #all: StatementSync;
  readonly #get: StatementSync;

  constructor(db: DatabaseSync) {
    this.#set = db.prepare(
      "INSERT INTO agent_state (agent_id, key, value) VALUES (?, ?, ?) ON CONFLICT(agent_id, key) DO UPDATE SET value = excluded.value",
    );
    this.#delete = db.prepare("DELETE FROM agent_state WHERE agent_id = ? AND key = ?");
    this.#all = db.prepare("SELECT key, value FROM agent_state WHERE agent_id = ? ORDER BY key");
    this.#get = db.prepare("SELECT value FROM agent_state WHERE agent_id = ? AND key = ?");
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
}
