/**
 * Restore after a restart reads why an agent was draining from the cause
 * recorded as data with the move (STYLE rule 19), never from the reason text;
 * data files written before causes were recorded still restore.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import { databasePath } from "../../src/config/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

/** The agent's record and its last transition, read from the data file of a stopped node. */
function lastMove(dataDir: string, name: string) {
  const store = openStore(databasePath({ dataDir }));
  try {
    const record = store.agents.list().find((r) => r.name === name)!;
    return { state: record.state, last: store.agents.transitions(record.id).at(-1)! };
  } finally {
    store.close();
  }
}

Deno.test("a hot reload records its move to draining with the cause as data", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  await node.agents.deploy("echo", agentBytes("echo_as"));
  const moves = node.agents.history("echo").map((t) => [t.to, t.version, t.cause]);
  assert.deepEqual(moves, [
    ["loaded", 1, null],
    ["running", 1, null],
    ["draining", 1, { kind: "reload", version: 2 }],
    ["running", 2, null],
  ]);
});

Deno.test("a node restarted mid-reload runs its newest version again, read from the cause", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    await node.agents.deploy("echo", agentBytes("echo_wat"));
    await node.agents.deploy("echo", agentBytes("echo_as"));
    await node.agents.deploy("plain", agentBytes("echo_wat"));
  }
  // As a crash during the next reload leaves the file: the move to draining is written, the
  // new version is not. Its reason text is deliberately not what the reload writes, so only
  // the cause can tell restore that this was a reload.
  const store = openStore(databasePath({ dataDir: dir.path }));
  const echo = store.agents.list().find((r) => r.name === "echo")!;
  store.agents.recordTransition(echo, "draining", "cut short by a crash", {
    kind: "reload",
    version: 3,
  });
  // Draining with a reload-like text but no cause: a stop, whatever the text says.
  const plain = store.agents.list().find((r) => r.name === "plain")!;
  store.agents.recordTransition(plain, "draining", "reload to version 2");
  store.close();

  {
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    const view = node.agents.get("echo");
    assert.deepEqual([view.state, view.version], ["running", 2]);
    assert.equal((await me.request("echo", "after the restart")).content, "after the restart");
    const last = node.agents.history("echo").at(-1)!;
    assert.deepEqual([last.from, last.to, last.version], ["draining", "running", 2]);
    assert.equal(last.reason, "reload interrupted by a restart; version 2 kept");
    assert.equal(node.agents.get("plain").state, "stopped");
    assert.equal(node.agents.history("plain").at(-1)!.reason, "stop completed at restart");
  }
});

Deno.test("a data file from before causes were recorded still restores a mid-reload agent", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    await node.agents.deploy("echo", agentBytes("echo_wat"));
    await node.agents.deploy("stopping", agentBytes("echo_wat"));
  }
  // Turn the file back into schema 5, with the rows an older node wrote when it was cut off:
  // echo mid-reload ("reload to version 2"), stopping mid-stop ("stop requested").
  const db = new DatabaseSync(databasePath({ dataDir: dir.path }));
  try {
    // Version 7 first: the message log's tables as versions 2 and 5 made them.
    db.exec(`
      DROP TABLE log_records; DROP TABLE log_outcomes; DROP TABLE log_watermarks;
      DROP TABLE handled_marks; DROP TABLE log_index; DROP TABLE log_meta;
    `);
    for (const m of MIGRATIONS.filter((m) => m.version === 2 || m.version === 5)) db.exec(m.sql);
    db.exec(`
      ALTER TABLE transitions DROP COLUMN cause;
      DELETE FROM schema_migrations WHERE version >= 6;
      DROP TABLE api_keys; DROP TABLE audit_log; DROP TABLE audit_anchor;
      DROP TABLE timers;
      DROP TABLE deployments;
      DROP INDEX agents_by_state; DROP INDEX agents_kept_alive; DROP INDEX agents_with_capabilities;
      ALTER TABLE agents DROP COLUMN keep_alive;
      ALTER TABLE agents DROP COLUMN instances;
      ALTER TABLE agents DROP COLUMN max_instances;
      ALTER TABLE agent_versions DROP COLUMN language;
      INSERT INTO transitions (agent_id, from_state, to_state, version, reason, at)
        SELECT id, 'running', 'draining', version, 'reload to version 2', datetime('now')
        FROM agents WHERE name = 'echo';
      INSERT INTO transitions (agent_id, from_state, to_state, version, reason, at)
        SELECT id, 'running', 'draining', version, 'stop requested', datetime('now')
        FROM agents WHERE name = 'stopping';
      UPDATE agents SET state = 'draining';
    `);
  } finally {
    db.close();
  }

  {
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    assert.deepEqual([node.agents.get("echo").state, node.agents.get("echo").version], [
      "running",
      1,
    ]);
    assert.equal((await me.request("echo", "still here")).content, "still here");
    assert.equal(node.agents.get("stopping").state, "stopped");
    assert.equal(node.agents.get("echo").language, "unknown", "a version deployed before 15");
    const reload = node.agents.history("echo").find((t) => t.reason === "reload to version 2")!;
    assert.deepEqual(reload.cause, { kind: "reload", version: 2 }, "the old text became data");
  }
  const after = lastMove(dir.path, "stopping");
  assert.deepEqual([after.state, after.last.reason], ["stopped", "stop completed at restart"]);
});
