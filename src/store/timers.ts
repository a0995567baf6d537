/** Durable timers: one row per pending timer, found by due time (docs/TIMERS.md). */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A pending timer. Times are ms since the Unix epoch. */
export interface TimerRecord {
  agentId: number;
  id: number;
  dueAt: number;
  /** Periodic: the period in ms; one-shot: null. */
  everyMs: number | null;
  payload: string;
  createdAt: number;
}

/** A due timer with the name of its agent. */
export interface DueTimer extends TimerRecord {
  agent: string;
}

interface _Row {
  agent_id: number;
  id: number;
  due_at: number;
  every_ms: number | null;
  payload: string;
  created_at: number;
  agent?: string;
}

function _record(row: _Row): TimerRecord {
  return {
    agentId: row.agent_id,
    id: row.id,
    dueAt: row.due_at,
    everyMs: row.every_ms,
    payload: row.payload,
    createdAt: row.created_at,
  };
}

/** Agent states whose timers wait (they would be refused): they fire once the agent runs. */
const _WAITING = "'unloaded', 'loaded', 'draining', 'stopped', 'failed'";

/** Repository of timers. */
export class TimerRepository {
  readonly #insert: StatementSync;
  readonly #delete: StatementSync;
  readonly #deleteMany: StatementSync;
  readonly #reschedule: StatementSync;
  readonly #count: StatementSync;
  readonly #earliest: StatementSync;
  readonly #due: StatementSync;
  readonly #list: StatementSync;
  readonly #total: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      "INSERT OR IGNORE INTO timers (agent_id, id, due_at, every_ms, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#delete = db.prepare("DELETE FROM timers WHERE agent_id = ? AND id = ?");
    // Fired timers leave in one statement per batch: a statement per timer cost ~10 µs each.
    this.#deleteMany = db.prepare(
      `DELETE FROM timers WHERE (agent_id, id) IN
         (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`,
    );
    this.#reschedule = db.prepare("UPDATE timers SET due_at = ? WHERE agent_id = ? AND id = ?");
    this.#count = db.prepare("SELECT COUNT(*) AS n FROM timers WHERE agent_id = ?");
    // Timers of agents that take no messages (stopped, failed, not started) wait for them.
    this.#earliest = db.prepare(
      `SELECT MIN(t.due_at) AS due FROM timers t JOIN agents a ON a.id = t.agent_id
       WHERE a.state NOT IN (${_WAITING})`,
    );
    this.#due = db.prepare(
      `SELECT t.*, a.name AS agent FROM timers t JOIN agents a ON a.id = t.agent_id
       WHERE t.due_at <= ? AND a.state NOT IN (${_WAITING}) ORDER BY t.due_at LIMIT ?`,
    );
    this.#list = db.prepare("SELECT * FROM timers WHERE agent_id = ? ORDER BY due_at, id LIMIT ?");
    this.#total = db.prepare("SELECT COUNT(*) AS n FROM timers");
  }

  /** Adds a timer; false when the agent already has one with that id. */
  add(timer: TimerRecord): boolean {
    const { agentId, id, dueAt, everyMs, payload, createdAt } = timer;
    return this.#insert.run(agentId, id, dueAt, everyMs, payload, createdAt).changes === 1;
  }

  /** Removes a timer; false when it was not pending. */
  remove(agentId: number, id: number): boolean {
    return this.#delete.run(agentId, id).changes === 1;
  }

  /** Removes the timers `keys` names (agent id, timer id); returns how many were pending. */
  removeMany(keys: readonly (readonly [agentId: number, id: number])[]): number {
    if (keys.length === 0) return 0;
    return Number(this.#deleteMany.run(JSON.stringify(keys)).changes);
  }

  /** Moves a periodic timer to its next due time. */
  reschedule(agentId: number, id: number, dueAt: number): void {
    this.#reschedule.run(dueAt, agentId, id);
  }

  /** Pending timers of one agent. */
  count(agentId: number): number {
    return (this.#count.get(agentId) as { n: number }).n;
  }

  /** Pending timers of the node. */
  total(): number {
    return (this.#total.get() as { n: number }).n;
  }

  /** When the next timer of an agent that takes messages is due, or undefined when none is. */
  earliest(): number | undefined {
    return (this.#earliest.get() as { due: number | null }).due ?? undefined;
  }

  /** Timers due at or before `at` of agents that take messages, earliest first, at most `limit`. */
  due(at: number, limit: number): DueTimer[] {
    return (this.#due.all(at, limit) as unknown as _Row[]).map((row) => ({
      ..._record(row),
      agent: row.agent!,
    }));
  }

  /** One agent's pending timers, earliest first. */
  list(agentId: number, limit = 1000): TimerRecord[] {
    return (this.#list.all(agentId, limit) as unknown as _Row[]).map(_record);
  }
}
