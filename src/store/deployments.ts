/**
 * Deployments of agents (issue 16): one row per deployment with its options
 * and its report (stages, steps, analysis, divergences) as JSON, so the CLI
 * and the API show a rollout's history after it ends and after a restart.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A deployment as stored; `options` and `report` are the caller's JSON shapes. */
export interface DeploymentRecord {
  id: number;
  agentId: number;
  strategy: string;
  status: string;
  fromVersion: number;
  fromHash: string;
  toHash: string;
  /** The agent's version once the new module became it (null until then, or never). */
  toVersion: number | null;
  options: Record<string, unknown>;
  report: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** What a new deployment row holds. */
export type NewDeployment = Omit<DeploymentRecord, "id" | "createdAt" | "updatedAt" | "toVersion">;

interface _Row {
  id: number;
  agent_id: number;
  strategy: string;
  status: string;
  from_version: number;
  from_hash: string;
  to_hash: string;
  to_version: number | null;
  options: string;
  report: string;
  created_at: number;
  updated_at: number;
}

function _record(row: _Row): DeploymentRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    strategy: row.strategy,
    status: row.status,
    fromVersion: row.from_version,
    fromHash: row.from_hash,
    toHash: row.to_hash,
    toVersion: row.to_version,
    options: JSON.parse(row.options),
    report: JSON.parse(row.report),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Repository of deployments. */
export class DeploymentRepository {
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #byAgent: StatementSync;
  readonly #byStatus: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO deployments (agent_id, strategy, status, from_version, from_hash, to_hash,
         options, report, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       RETURNING *`,
    );
    this.#update = db.prepare(
      `UPDATE deployments SET status = ?, to_version = ?, report = ?, updated_at = ? WHERE id = ?`,
    );
    this.#byAgent = db.prepare(
      "SELECT * FROM deployments WHERE agent_id = ? ORDER BY id DESC LIMIT ?",
    );
    this.#byStatus = db.prepare(
      "SELECT * FROM deployments WHERE status IN (SELECT value FROM json_each(?))",
    );
  }

  /** Records a new deployment; returns it with its id. */
  create(deployment: NewDeployment): DeploymentRecord {
    const now = Date.now();
    const row = this.#insert.get(
      deployment.agentId,
      deployment.strategy,
      deployment.status,
      deployment.fromVersion,
      deployment.fromHash,
      deployment.toHash,
      JSON.stringify(deployment.options),
      JSON.stringify(deployment.report),
      now,
      now,
    ) as unknown as _Row;
    return _record(row);
  }

  /** Records a deployment's new status, version and report. */
  update(
    id: number,
    status: string,
    toVersion: number | null,
    report: Record<string, unknown>,
  ): void {
    this.#update.run(status, toVersion, JSON.stringify(report), Date.now(), id);
  }

  /** An agent's deployments, newest first. */
  byAgent(agentId: number, limit = 50): DeploymentRecord[] {
    return (this.#byAgent.all(agentId, limit) as unknown as _Row[]).map(_record);
  }

  /** Deployments in any of `statuses` (e.g. those a restart interrupted). */
  withStatus(statuses: readonly string[]): DeploymentRecord[] {
    return (this.#byStatus.all(JSON.stringify(statuses)) as unknown as _Row[]).map(_record);
  }
}
