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
  {
    version: 2,
    name: "messages",
    // Every index here is paid on each append: measured on this machine, 200,000 rows in
    // batches of 1,000 go from ~310K rows/s bare to ~130K with a conversation_id index over
    // random ids, ~260K with accepted_at; indexes on sender or receiver would cost 35-55% more,
    // so byAgent scans from its cursor instead. The receiver+status index holds unfinished rows
    // only, so it stays small and in cache.
    sql: `
      -- The durable message log: one row per delivery (a message to n receivers is n rows).
      CREATE TABLE messages (
        id               INTEGER PRIMARY KEY,    -- log position, increasing, never reused
        accepted_at      INTEGER NOT NULL,       -- Unix epoch milliseconds
        sender           TEXT,
        receiver         TEXT NOT NULL,
        conversation_id  TEXT,
        performative     TEXT NOT NULL,
        reply_with       TEXT,
        in_reply_to      TEXT,
        body             TEXT NOT NULL,          -- JSON of the ACL message
        trace_id         TEXT
      );
      CREATE INDEX messages_by_conversation ON messages(conversation_id)
        WHERE conversation_id IS NOT NULL;
      CREATE INDEX messages_by_accepted_at ON messages(accepted_at);
      CREATE TABLE deliveries (
        message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        receiver    TEXT NOT NULL,               -- copy of messages.receiver, for the index
        status      TEXT NOT NULL
                    CHECK (status IN ('accepted', 'delivered', 'handled', 'failed', 'dead')),
        reason      TEXT,
        updated_at  INTEGER NOT NULL             -- Unix epoch milliseconds
      );
      -- What a restart must redeliver, without scanning the finished rows.
      CREATE INDEX deliveries_unfinished ON deliveries(receiver, status)
        WHERE status IN ('accepted', 'delivered');
      CREATE TABLE dead_letters (
        message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        reason      TEXT NOT NULL,
        at          INTEGER NOT NULL             -- Unix epoch milliseconds
      );
    `,
  },
  {
    version: 3,
    name: "jobs",
    // Also the participants table: one migration for what the REST API (issue 4) keeps.
    sql: `
      -- Outside participants ext:<name>, so registrations (and webhooks) survive a restart.
      CREATE TABLE participants (
        name        TEXT PRIMARY KEY,            -- without the ext: prefix
        options     TEXT NOT NULL,               -- JSON: webhook, capacity
        created_at  INTEGER NOT NULL             -- Unix epoch milliseconds
      );
      -- Asynchronous requests to agents: submitted -> running -> complete | failed.
      CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,          -- random UUID, the handle a client polls
        agent         TEXT NOT NULL,
        request       TEXT NOT NULL,             -- JSON of the ACL message sent
        timeout_ms    INTEGER NOT NULL,
        status        TEXT NOT NULL
                      CHECK (status IN ('submitted', 'running', 'complete', 'failed')),
        result        TEXT,                      -- JSON of the reply, when complete
        error         TEXT,                      -- why it failed
        created_at    INTEGER NOT NULL,          -- Unix epoch milliseconds
        updated_at    INTEGER NOT NULL
      );
      -- What a restart must run again.
      CREATE INDEX jobs_unfinished ON jobs(created_at) WHERE status IN ('submitted', 'running');
    `,
  },
  {
    version: 4,
    name: "agent_tools",
    sql: `
      -- The MCP tools an agent may call ("server/tool" or "server/*"); none by default.
      ALTER TABLE agents ADD COLUMN tools TEXT NOT NULL DEFAULT '[]';
      -- Its own limits on those calls (JSON: maxConcurrentCalls, callTimeoutMs); {} = the node's.
      ALTER TABLE agents ADD COLUMN tool_limits TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 5,
    name: "message_bodies",
    // A message to n receivers stored its body n times (issue 13: an 18 KB request naming one
    // receiver thousands of times wrote ~39 MB). Bodies move to their own table, one per run
    // of consecutive positions with the same body (a fan-out), at most 1,024 positions each
    // (MAX_BODY_SPAN in message_log.ts), so prune finds a body's rows by a bounded range.
    // No foreign key from messages.body_id: checking one would scan messages for every body
    // deleted (an index on body_id would be paid by every append); prune deletes a body only
    // once no row in its range is left.
    sql: `
      CREATE TABLE message_bodies (
        id       INTEGER PRIMARY KEY,          -- position of the first delivery carrying it
        last_id  INTEGER NOT NULL,             -- deliveries id..last_id carry it (some may be pruned)
        bytes    INTEGER NOT NULL,             -- UTF-8 length of body
        body     TEXT NOT NULL                 -- JSON of the ACL message
      );
      -- What the log holds, kept in the same transactions as its rows: size without a scan.
      CREATE TABLE message_log_totals (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        deliveries  INTEGER NOT NULL,          -- rows in messages
        body_bytes  INTEGER NOT NULL           -- SUM(message_bodies.bytes)
      );
      ALTER TABLE messages ADD COLUMN body_id INTEGER NOT NULL DEFAULT 0;
      -- Existing rows: a run starts where the position or the body changes. Compared with a
      -- self-join, not a window over the bodies, which would copy every body to a temp table.
      CREATE TEMP TABLE _starts (id INTEGER PRIMARY KEY, starts INTEGER NOT NULL);
      INSERT INTO _starts (id, starts)
        SELECT m.id, p.id IS NULL OR p.body <> m.body
        FROM messages m LEFT JOIN messages p ON p.id = m.id - 1;
      CREATE TEMP TABLE _body_of (id INTEGER PRIMARY KEY, body_id INTEGER NOT NULL);
      INSERT INTO _body_of (id, body_id)
        WITH runs AS (
          SELECT id, SUM(starts) OVER (ORDER BY id) AS run FROM _starts
        ), firsts AS (
          SELECT id, MIN(id) OVER (PARTITION BY run) AS first FROM runs
        )
        SELECT id, first + ((id - first) / 1024) * 1024 FROM firsts;
      CREATE INDEX temp._body_members ON _body_of (body_id, id);
      INSERT INTO message_bodies (id, last_id, bytes, body)
        SELECT m.id, (SELECT MAX(b.id) FROM _body_of b WHERE b.body_id = m.id),
          octet_length(m.body), m.body
        FROM _body_of f JOIN messages m ON m.id = f.id WHERE f.body_id = f.id;
      UPDATE messages SET body_id = (SELECT body_id FROM _body_of WHERE _body_of.id = messages.id);
      DROP TABLE _body_of;
      DROP TABLE _starts;
      ALTER TABLE messages DROP COLUMN body;
      INSERT INTO message_log_totals (id, deliveries, body_bytes)
        SELECT 1, (SELECT COUNT(*) FROM messages),
          (SELECT COALESCE(SUM(bytes), 0) FROM message_bodies);
    `,
  },
  {
    version: 6,
    name: "transition_causes",
    // STYLE rule 19: a transition carries its cause as data (JSON, e.g. {"kind":"reload",
    // "version":3}), so restore never reads back the text it wrote. `reason` stays the
    // readable text. Rows written before: a move to draining whose reason was "reload to
    // version N" was a hot reload; that text is turned into its cause once, here.
    sql: `
      ALTER TABLE transitions ADD COLUMN cause TEXT;
      UPDATE transitions
        SET cause = '{"kind":"reload","version":' || CAST(substr(reason, 19) AS INTEGER) || '}'
        WHERE to_state = 'draining' AND reason LIKE 'reload to version %';
    `,
  },
  {
    version: 7,
    name: "message_log_records",
    // Issue 15: the log designed for its write rate. One append-only row per message (its
    // receivers inside, no secondary index), "handled" as a watermark per receiver, the
    // read model (by conversation, by agent) built behind the writer in log_index. Older
    // rows are converted one record per delivery; their unfinished deliveries stay
    // unfinished (below their receiver's watermark nothing is, above it the outcome says).
    sql: `
      CREATE TABLE log_records (
        id        INTEGER PRIMARY KEY,   -- position of receivers[0]; receiver i is id + i
        at        INTEGER NOT NULL,      -- accepted, Unix ms
        receivers TEXT NOT NULL,         -- JSON array of names
        body      TEXT NOT NULL,         -- JSON of the ACL message
        trace_id  TEXT
      );
      -- Deliveries that ended without being handled (failed, dead), by position.
      CREATE TABLE log_outcomes (
        id      INTEGER PRIMARY KEY,
        status  TEXT NOT NULL CHECK (status IN ('failed', 'dead')),
        reason  TEXT NOT NULL,
        at      INTEGER NOT NULL
      );
      -- Written by the log's writer with each batch: every delivery to receiver at or
      -- before through is done.
      CREATE TABLE log_watermarks (
        receiver TEXT PRIMARY KEY,
        through  INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- The same, written in the transaction of the agent state a message changed.
      CREATE TABLE handled_marks (
        receiver TEXT PRIMARY KEY,
        through  INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- The read model, built behind the writer: keys 'c:<conversation id>', 'a:<agent>'.
      CREATE TABLE log_index (
        id   INTEGER NOT NULL,
        key  TEXT NOT NULL,
        PRIMARY KEY (id, key)
      ) WITHOUT ROWID;
      CREATE INDEX log_index_by_key ON log_index (key, id);
      CREATE TABLE log_meta (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        last_id        INTEGER NOT NULL,  -- highest position handed out
        done_through   INTEGER NOT NULL,  -- every delivery at or before it is done
        indexed_through INTEGER NOT NULL, -- log_index covers records up to here
        deliveries     INTEGER NOT NULL,  -- deliveries in log_records
        body_bytes     INTEGER NOT NULL   -- SUM(octet_length(body))
      );
      INSERT INTO log_records (id, at, receivers, body, trace_id)
        SELECT m.id, m.accepted_at, json_array(m.receiver), b.body, m.trace_id
        FROM messages m JOIN message_bodies b ON b.id = m.body_id;
      INSERT INTO log_outcomes (id, status, reason, at)
        SELECT message_id, status, COALESCE(reason, ''), updated_at FROM deliveries
        WHERE status IN ('failed', 'dead');
      INSERT INTO log_watermarks (receiver, through)
        SELECT receiver, COALESCE(
          (SELECT MIN(u.message_id) - 1 FROM deliveries u
            WHERE u.receiver = d.receiver AND u.status IN ('accepted', 'delivered')),
          MAX(message_id))
        FROM deliveries d GROUP BY receiver;
      INSERT INTO log_index (id, key)
        SELECT id, 'c:' || conversation_id FROM messages WHERE conversation_id IS NOT NULL
        UNION SELECT id, 'a:' || sender FROM messages WHERE sender IS NOT NULL
        UNION SELECT id, 'a:' || receiver FROM messages;
      INSERT INTO log_meta (id, last_id, done_through, indexed_through, deliveries, body_bytes)
        SELECT 1, COALESCE((SELECT MAX(id) FROM messages), 0),
          COALESCE((SELECT MIN(message_id) - 1 FROM deliveries
            WHERE status IN ('accepted', 'delivered')), (SELECT MAX(id) FROM messages), 0),
          COALESCE((SELECT MAX(id) FROM messages), 0),
          (SELECT COUNT(*) FROM log_records),
          (SELECT COALESCE(SUM(octet_length(body)), 0) FROM log_records);
      DROP TABLE dead_letters;
      DROP TABLE deliveries;
      DROP TABLE messages;
      DROP TABLE message_bodies;
      DROP TABLE message_log_totals;
    `,
  },
  {
    version: 8,
    name: "security",
    // Issue 17: API keys (a SHA-256 of the secret, never the secret; the short prefix finds the
    // row) and the audit trail, hash-chained: each entry holds the hash of the one before, so an
    // edit, deletion or reordering breaks the chain. Pruning keeps an anchor: the last pruned
    // entry's seq and hash, where the remaining chain starts.
    sql: `
      CREATE TABLE api_keys (
        id           TEXT PRIMARY KEY,          -- the visible prefix, e.g. cxk_1a2b3c4d
        hash         TEXT NOT NULL,             -- sha-256 hex of the whole key
        role         TEXT NOT NULL,
        name         TEXT,                      -- a label; for role participant, its ext: name
        created_at   INTEGER NOT NULL,          -- Unix epoch milliseconds
        expires_at   INTEGER,                   -- null: never
        revoked_at   INTEGER
      );
      CREATE TABLE audit_log (
        seq        INTEGER PRIMARY KEY,         -- position in the chain, never reused
        at         INTEGER NOT NULL,            -- Unix epoch milliseconds
        actor      TEXT NOT NULL,               -- key id, jwt:<sub>, token, local
        role       TEXT,
        action     TEXT NOT NULL,               -- e.g. agents.deploy, auth.denied
        target     TEXT,
        source     TEXT,                        -- remote address
        outcome    TEXT NOT NULL,               -- ok | denied | failed
        status     INTEGER,                     -- HTTP status, when from a request
        detail     TEXT,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
      );
      CREATE TABLE audit_anchor (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        seq        INTEGER NOT NULL,            -- last pruned entry
        hash       TEXT NOT NULL,               -- its hash: the first kept entry's prev_hash
        pruned_at  INTEGER NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: "timers",
    // Durable timers (docs/TIMERS.md): one row per pending timer, found by the index on
    // due_at, so 100,000 of them cost the node one query per wake-up, not a JS timer each.
    // Removing an agent removes its timers (foreign keys are on).
    sql: `
      CREATE TABLE timers (
        agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        id          INTEGER NOT NULL,          -- unique per agent, given by the host
        due_at      INTEGER NOT NULL,          -- ms since the Unix epoch
        every_ms    INTEGER,                   -- periodic: the period; one-shot: NULL
        payload     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (agent_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX timers_by_due ON timers(due_at);
    `,
  },
  {
    version: 10,
    name: "agent_keep_alive",
    // Issue 21: agents are activated on demand and passivated when idle; `keep_alive`
    // opts one out (its instance is made at start and kept).
    sql: `
      ALTER TABLE agents ADD COLUMN keep_alive INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 11,
    name: "deployments",
    // Issue 16: one row per deployment of an agent (blue-green, canary, shadow), with its
    // options and its report (validation stages, steps, analysis, divergences) as JSON.
    sql: `
      CREATE TABLE deployments (
        id            INTEGER PRIMARY KEY,
        agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        strategy      TEXT NOT NULL,
        status        TEXT NOT NULL,
        from_version  INTEGER NOT NULL,
        from_hash     TEXT NOT NULL,
        to_hash       TEXT NOT NULL,
        to_version    INTEGER,
        options       TEXT NOT NULL,
        report        TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX deployments_by_agent ON deployments(agent_id, id);
      `,
  },
  {
    version: 13,
    name: "agent_instances",
    // Instance pools (docs/POOLS.md): a stateless agent runs as `instances` members in
    // different workers behind one name and mailbox; 1 is a plain agent.
    sql: `
      ALTER TABLE agents ADD COLUMN instances INTEGER NOT NULL DEFAULT 1;
      `,
  },
  {
    version: 14,
    name: "agent_lookups",
    // Issue 21: a restart reads no agent rows; agents are adopted on first touch. What a
    // restart, a page of the listing and a count by state still need is found by index:
    // agents by state (in name order), those kept alive, those with capabilities.
    sql: `
      CREATE INDEX IF NOT EXISTS agents_by_state ON agents(state, name);
      CREATE INDEX IF NOT EXISTS agents_kept_alive ON agents(name) WHERE keep_alive = 1;
      CREATE INDEX IF NOT EXISTS agents_with_capabilities ON agents(name) WHERE capabilities <> '[]';
    `,
  },
  {
    version: 15,
    name: "agent_language",
    // Issue 19: the source language of each version's module, detected at deploy or
    // stated by the deployer. Versions deployed before have none (read as "unknown").
    sql: `
      ALTER TABLE agent_versions ADD COLUMN language TEXT;
    `,
  },
  {
    version: 17,
    name: "agent_max_instances",
    // Pools the node sizes from mailbox depth (docs/POOLS.md): `instances` is the least
    // members, `max_instances` the most; NULL is a pool of fixed size.
    sql: `
      ALTER TABLE agents ADD COLUMN max_instances INTEGER;
    `,
  },
];
