/**
 * Reads of the agents table that cost what they return, not the number of
 * agents (issue 21): a page in name order, the names of a batch already
 * taken, counts, and the few rows a restart must act on (mid-stop, kept
 * alive, with capabilities), each found by an index of migration 14.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AgentRecord, CapabilityRecord, StoredAgentState } from "./agent_records.ts";
import { AGENT_SELECT, capabilityDetails, type Interned, toAgentRecord } from "./agent_rows.ts";

/** What {@linkcode AgentLookups.page} filters by. */
export interface AgentPageQuery {
  /** Names after this one (exclusive). */
  after?: string;
  prefix?: string;
  state?: string;
  /** Rows whose capabilities column mentions this name (the caller checks exactly). */
  capability?: string;
  limit: number;
}

/** Indexed reads of agents. */
export class AgentLookups {
  readonly #db: DatabaseSync;
  readonly #interned: Interned;
  readonly #pages = new Map<string, StatementSync>();
  readonly #count: StatementSync;
  readonly #byState: StatementSync;
  readonly #byModule: StatementSync;
  readonly #inState: StatementSync;
  readonly #keptAlive: StatementSync;
  readonly #withCapabilities: StatementSync;
  readonly #taken: StatementSync;
  readonly #names: StatementSync;

  constructor(db: DatabaseSync, interned: Interned) {
    this.#db = db;
    this.#interned = interned;
    this.#count = db.prepare("SELECT count(*) AS n FROM agents");
    this.#byState = db.prepare("SELECT state, count(*) AS n FROM agents GROUP BY state");
    this.#byModule = db.prepare(
      `SELECT v.module_hash AS hash, a.version, count(*) AS n
       FROM agents a JOIN agent_versions v ON v.agent_id = a.id AND v.version = a.version
       GROUP BY v.module_hash, a.version`,
    );
    this.#inState = db.prepare(`${AGENT_SELECT} WHERE a.state = ? ORDER BY a.name`);
    // The WHERE terms are the partial indexes' own, so SQLite uses them.
    this.#keptAlive = db.prepare(`${AGENT_SELECT} WHERE a.keep_alive = 1`);
    this.#withCapabilities = db.prepare(
      `SELECT name, capabilities FROM agents
       WHERE capabilities <> '[]' AND name > ? ORDER BY name LIMIT ?`,
    );
    this.#taken = db.prepare(
      "SELECT name FROM agents WHERE name IN (SELECT value FROM json_each(?))",
    );
    this.#names = db.prepare("SELECT name FROM agents ORDER BY id");
  }

  /** Agents in name order after `after`, filtered by prefix, state and (roughly) capability. */
  page(query: AgentPageQuery): AgentRecord[] {
    const prefix = query.prefix ?? "";
    // One lower bound on the name, so the index range starts where the page does.
    const exclusive = query.after !== undefined && query.after >= prefix;
    const args: (string | number)[] = [exclusive ? query.after! : prefix, prefix + "\uffff"];
    let where = `a.name ${exclusive ? ">" : ">="} ? AND a.name < ?`;
    if (query.state !== undefined) {
      where += " AND a.state = ?";
      args.push(query.state);
    }
    if (query.capability !== undefined) {
      where += " AND a.capabilities LIKE ? ESCAPE '\\'";
      args.push(`%"${query.capability.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`);
    }
    args.push(query.limit);
    let statement = this.#pages.get(where);
    if (!statement) {
      statement = this.#db.prepare(`${AGENT_SELECT} WHERE ${where} ORDER BY a.name LIMIT ?`);
      this.#pages.set(where, statement);
    }
    return this.#records(statement, ...args);
  }

  /** Every agent. */
  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  /** Agents per lifecycle state. */
  countByState(): Map<string, number> {
    const rows = this.#byState.all() as { state: string; n: number }[];
    return new Map(rows.map((r) => [r.state, r.n]));
  }

  /** Agents per module hash and version (joins every agent: call it rarely). */
  countByModule(): { hash: string; version: number; agents: number }[] {
    return (this.#byModule.all() as { hash: string; version: number; n: number }[])
      .map((r) => ({ hash: r.hash, version: r.version, agents: r.n }));
  }

  /** Agents in `state`, in name order (by index: cheap for a rare state). */
  inState(state: StoredAgentState): AgentRecord[] {
    return this.#records(this.#inState, state);
  }

  /** Agents deployed with `keepAlive`. */
  keptAlive(): AgentRecord[] {
    return this.#records(this.#keptAlive);
  }

  /** Up to `limit` agents with capabilities after `after`, in name order: their names and capabilities. */
  withCapabilities(
    after: string,
    limit: number,
  ): { name: string; capabilities: CapabilityRecord[] }[] {
    const rows = this.#withCapabilities.all(after, limit) as {
      name: string;
      capabilities: string;
    }[];
    return rows.map((r) => ({
      name: r.name,
      capabilities: capabilityDetails(r.capabilities, this.#interned),
    }));
  }

  /** Which of `names` are agents already. */
  taken(names: readonly string[]): string[] {
    const rows = this.#taken.all(JSON.stringify(names)) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Every agent's name, oldest first (a cluster claims them after a restart). */
  names(): string[] {
    return (this.#names.all() as { name: string }[]).map((r) => r.name);
  }

  #records(statement: StatementSync, ...args: (string | number)[]): AgentRecord[] {
    const rows = statement.all(...args) as Record<string, unknown>[];
    return rows.map((row) => toAgentRecord(row, this.#interned));
  }
}
