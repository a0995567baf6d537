/**
 * Numbered schema migrations. Append only: a released migration is never
 * edited, a change is a new entry. docs/SCHEMA.md describes the result.
 */

/** One schema step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "core",
    sql: `
      CREATE TABLE modules (
        hash        TEXT PRIMARY KEY,          -- sha-256 hex of the original bytes
        original    BLOB NOT NULL,             -- what the user deployed
        size_bytes  INTEGER NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE TABLE module_builds (
        hash        TEXT NOT NULL REFERENCES modules(hash) ON DELETE CASCADE,
        options     TEXT NOT NULL,             -- JSON of the preparation options (cap, fuel)
        metered     BLOB NOT NULL,             -- fuel-metered, memory-capped build that runs
        has_init    INTEGER NOT NULL,
        PRIMARY KEY (hash, options)
      );
      CREATE TABLE agents (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        state         TEXT NOT NULL,
        version       INTEGER NOT NULL,
        isolation     TEXT NOT NULL,
        limits        TEXT NOT NULL,           -- JSON AgentLimits
        capabilities  TEXT NOT NULL DEFAULT '[]',
        failure       TEXT,                    -- reason of the last move to failed
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE TABLE agent_versions (
        agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        version      INTEGER NOT NULL,
        module_hash  TEXT NOT NULL REFERENCES modules(hash),
        deployed_at  TEXT NOT NULL,
        PRIMARY KEY (agent_id, version)
      );
      CREATE TABLE transitions (
        id          INTEGER PRIMARY KEY,
        agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        version     INTEGER NOT NULL,
        reason      TEXT,
        at          TEXT NOT NULL
      );
      CREATE INDEX transitions_by_agent ON transitions(agent_id, id);
      CREATE TABLE agent_state (
        agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        key       TEXT NOT NULL,
        value     BLOB NOT NULL,
        PRIMARY KEY (agent_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE agent_events (
        id        INTEGER PRIMARY KEY,
        agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        kind      TEXT NOT NULL,               -- trap | watchdog | load_failed
        detail    TEXT NOT NULL,
        at        TEXT NOT NULL
      );
      CREATE INDEX agent_events_by_agent ON agent_events(agent_id, id);
    `,
  },
];
