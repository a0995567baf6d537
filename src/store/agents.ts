/** Agents, their versions and their lifecycle transitions. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  AgentEventRecord,
  AgentRecord,
  CapabilityRecord,
  NewAgent,
  NewAgents,
  StoredAgentState,
  StoredLimits,
  ToolLimits,
  TransitionCause,
  TransitionRecord,
} from "./agent_records.ts";
import {
  AGENT_COLUMNS,
  AGENT_SELECT,
  capabilitiesColumn,
  Interned,
  toAgentRecord,
} from "./agent_rows.ts";
import { AgentLookups } from "./agent_lookups.ts";

/** Repository of agents. Callers wrap multi-step changes in `store.transaction`. */
export class AgentRepository {
  readonly #insert: StatementSync;
  readonly #insertVersion: StatementSync;
  readonly #byName: StatementSync;
  readonly #byId: StatementSync;
  readonly #allRows: StatementSync;
  readonly #setState: StatementSync;
  readonly #setVersion: StatementSync;
  readonly #setCapabilities: StatementSync;
  readonly #setLimits: StatementSync;
  readonly #setTools: StatementSync;
  readonly #setKeepAlive: StatementSync;
  readonly #setInstances: StatementSync;
  readonly #remove: StatementSync;
  readonly #transition: StatementSync;
  readonly #transitions: StatementSync;
  readonly #event: StatementSync;
  readonly #events: StatementSync;
  /** Records read one at a time (agents adopted on first touch) share their parsed columns. */
  readonly #interned = new Interned();
  /** Reads by index that do not cost every row: pages, counts, the few a restart needs. */
  readonly lookups: AgentLookups;

  constructor(db: DatabaseSync) {
    this.lookups = new AgentLookups(db, this.#interned);
    this.#insert = db.prepare(
      `INSERT INTO agents
         (name, state, version, isolation, limits, tools, tool_limits, keep_alive,
          capabilities, created_at, updated_at, instances, max_instances)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertVersion = db.prepare(
      "INSERT INTO agent_versions (agent_id, version, module_hash, language, deployed_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.#byName = db.prepare(`${AGENT_SELECT} WHERE a.name = ?`);
    this.#byId = db.prepare(`${AGENT_SELECT} WHERE a.id = ?`);
    // Rows as arrays: half the cost of objects when a restart reads 100,000 (issue 21).
    this.#allRows = db.prepare(
      `SELECT ${
        AGENT_COLUMNS.map((c) => c === "module_hash" || c === "language" ? `v.${c}` : `a.${c}`)
          .join(", ")
      }
       FROM agents a JOIN agent_versions v ON v.agent_id = a.id AND v.version = a.version
       ORDER BY a.id`,
    );
    (this.#allRows as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
    this.#setState = db.prepare(
      "UPDATE agents SET state = ?, failure = ?, updated_at = ? WHERE id = ?",
    );
    this.#setVersion = db.prepare("UPDATE agents SET version = ?, updated_at = ? WHERE id = ?");
    this.#setCapabilities = db.prepare("UPDATE agents SET capabilities = ? WHERE id = ?");
    this.#setLimits = db.prepare("UPDATE agents SET limits = ? WHERE id = ?");
    this.#setTools = db.prepare("UPDATE agents SET tools = ?, tool_limits = ? WHERE id = ?");
    this.#setKeepAlive = db.prepare("UPDATE agents SET keep_alive = ? WHERE id = ?");
    this.#setInstances = db.prepare(
      "UPDATE agents SET instances = ?, max_instances = ? WHERE id = ?",
    );
    this.#remove = db.prepare("DELETE FROM agents WHERE id = ?");
    this.#transition = db.prepare(
      `INSERT INTO transitions (agent_id, from_state, to_state, version, reason, cause, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#transitions = db.prepare(
      "SELECT id, from_state, to_state, version, reason, cause, at FROM transitions WHERE agent_id = ? ORDER BY id",
    );
    this.#event = db.prepare(
      "INSERT INTO agent_events (agent_id, kind, detail, at) VALUES (?, ?, ?, ?)",
    );
    this.#events = db.prepare(
      "SELECT id, kind, detail, at FROM agent_events WHERE agent_id = ? ORDER BY id",
    );
  }

  /** Creates an agent in state `unloaded` at version 1. */
  create(agent: NewAgent): AgentRecord {
    const now = new Date().toISOString();
    const { lastInsertRowid } = this.#insert.run(
      agent.name,
      "unloaded",
      agent.isolation,
      JSON.stringify(agent.limits),
      JSON.stringify(agent.tools ?? []),
      JSON.stringify(agent.toolLimits ?? {}),
      agent.keepAlive ? 1 : 0,
      "[]",
      now,
      now,
      agent.instances ?? 1,
      agent.maxInstances ?? null,
    );
    const id = Number(lastInsertRowid);
    this.#insertVersion.run(id, 1, agent.moduleHash, agent.language ?? null, now);
    return this.byId(id)!;
  }

  /**
   * Creates many agents of one module with their first moves recorded, in the
   * caller's transaction; their records are built here, not read back, so a
   * bulk deploy costs a few inserts per agent.
   */
  createMany(agents: NewAgents): AgentRecord[] {
    const now = new Date().toISOString();
    const state = agents.moves.at(-1)?.to ?? "unloaded";
    const limits = JSON.stringify(agents.limits);
    const tools = JSON.stringify(agents.tools ?? []);
    const toolLimits = JSON.stringify(agents.toolLimits ?? {});
    const details = [...(agents.capabilities ?? [])];
    const capabilities = capabilitiesColumn(details);
    // One parsed copy of what every record shares.
    const shared = {
      state,
      version: 1,
      moduleHash: agents.moduleHash,
      language: agents.language ?? "unknown",
      isolation: agents.isolation,
      limits: JSON.parse(limits) as StoredLimits,
      capabilities: details.map((c) => c.name),
      capabilityDetails: details,
      tools: JSON.parse(tools) as string[],
      toolLimits: JSON.parse(toolLimits) as ToolLimits,
      keepAlive: agents.keepAlive ?? false,
      instances: 1,
      maxInstances: null,
      failure: null,
      createdAt: now,
      updatedAt: now,
    };
    return agents.names.map((name) => {
      const { lastInsertRowid } = this.#insert.run(
        name,
        state,
        agents.isolation,
        limits,
        tools,
        toolLimits,
        shared.keepAlive ? 1 : 0,
        capabilities,
        now,
        now,
        1,
      );
      const id = Number(lastInsertRowid);
      this.#insertVersion.run(id, 1, agents.moduleHash, agents.language ?? null, now);
      let from: StoredAgentState = "unloaded";
      for (const move of agents.moves) {
        this.#transition.run(id, from, move.to, 1, move.reason, null, now);
        from = move.to;
      }
      return { id, name, ...shared };
    });
  }

  /** Whether the agent stays instantiated while it runs (never passivated). */
  setKeepAlive(id: number, keepAlive: boolean): void {
    this.#setKeepAlive.run(keepAlive ? 1 : 0, id);
  }

  /** How many pool members the agent runs (1: not pooled), or the least and `max` the most. */
  setInstances(id: number, instances: number, max: number | null = null): void {
    this.#setInstances.run(instances, max, id);
  }

  /** Adds version `version` running `moduleHash` (written in `language`) and makes it current; returns the new `updatedAt`. */
  addVersion(id: number, version: number, moduleHash: string, language?: string): string {
    const now = new Date().toISOString();
    this.#insertVersion.run(id, version, moduleHash, language ?? null, now);
    this.#setVersion.run(version, now, id);
    return now;
  }

  /** The agent named `name`. */
  byName(name: string): AgentRecord | undefined {
    const row = this.#byName.get(name) as Record<string, unknown> | undefined;
    return row ? toAgentRecord(row, this.#interned) : undefined;
  }

  /** The agent with this id. */
  byId(id: number): AgentRecord | undefined {
    const row = this.#byId.get(id) as Record<string, unknown> | undefined;
    return row ? toAgentRecord(row, this.#interned) : undefined;
  }

  /** Every agent, oldest first. */
  list(): AgentRecord[] {
    return [...this.each()];
  }

  /** Every agent, oldest first, one row at a time (a restart reads 100,000 without a copy). */
  *each(): Generator<AgentRecord> {
    const interned = new Interned();
    const row: Record<string, unknown> = {};
    for (const values of this.#allRows.iterate() as Iterable<unknown[]>) {
      for (let i = 0; i < AGENT_COLUMNS.length; i++) row[AGENT_COLUMNS[i]!] = values[i];
      yield toAgentRecord(row, interned);
    }
  }

  /** Records a lifecycle move and sets the agent's state in one step; returns the new `updatedAt`. */
  recordTransition(
    agent: AgentRecord,
    to: StoredAgentState,
    reason: string | null = null,
    cause: TransitionCause | null = null,
  ): string {
    const now = new Date().toISOString();
    const causeJson = cause === null ? null : JSON.stringify(cause);
    this.#transition.run(agent.id, agent.state, to, agent.version, reason, causeJson, now);
    this.#setState.run(to, to === "failed" ? reason : null, now, agent.id);
    return now;
  }

  /** The agent's lifecycle history, oldest first. */
  transitions(id: number): TransitionRecord[] {
    return (this.#transitions.all(id) as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      from: r.from_state as StoredAgentState,
      to: r.to_state as StoredAgentState,
      version: r.version as number,
      reason: (r.reason as string | null) ?? null,
      cause: r.cause === null ? null : JSON.parse(r.cause as string) as TransitionCause,
      at: r.at as string,
    }));
  }

  /** Replaces the MCP tools the agent may call and its limits on those calls. */
  setTools(id: number, tools: readonly string[], toolLimits: ToolLimits): void {
    this.#setTools.run(JSON.stringify(tools), JSON.stringify(toolLimits), id);
  }

  /** Replaces the capabilities the agent registered (bare names kept as names). */
  setCapabilities(id: number, capabilities: readonly CapabilityRecord[]): void {
    this.#setCapabilities.run(capabilitiesColumn(capabilities), id);
  }

  /** Replaces the agent's limits (a redeploy may change them). */
  setLimits(id: number, limits: StoredLimits): void {
    this.#setLimits.run(JSON.stringify(limits), id);
  }

  /** Records a runtime event such as a trap. */
  recordEvent(id: number, kind: string, detail: string): void {
    this.#event.run(id, kind, detail, new Date().toISOString());
  }

  /** The agent's runtime events, oldest first. */
  events(id: number): AgentEventRecord[] {
    return this.#events.all(id) as unknown as AgentEventRecord[];
  }

  /** Deletes the agent with its versions, history and state. */
  remove(id: number): void {
    this.#remove.run(id);
  }
}
