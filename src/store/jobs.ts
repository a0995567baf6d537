/** Asynchronous jobs: a request to an agent whose reply is kept by id, across restarts. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AclMessage } from "../acl/mod.ts";

/** Where a job stands. `submitted` and `running` are unfinished. */
export type JobStatus = "submitted" | "running" | "complete" | "failed";

/** A job as stored. Times are Unix epoch milliseconds. */
export interface JobRecord {
  id: string;
  agent: string;
  request: AclMessage;
  timeoutMs: number;
  status: JobStatus;
  /** The reply, once complete. */
  result: AclMessage | null;
  /** Why it failed. */
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

function _toJob(row: Record<string, unknown>): JobRecord {
  return {
    id: row.id as string,
    agent: row.agent as string,
    request: JSON.parse(row.request as string) as AclMessage,
    timeoutMs: row.timeout_ms as number,
    status: row.status as JobStatus,
    result: row.result === null ? null : JSON.parse(row.result as string) as AclMessage,
    error: (row.error as string | null) ?? null,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

/** Repository of jobs. */
export class JobRepository {
  readonly #insert: StatementSync;
  readonly #byId: StatementSync;
  readonly #setStatus: StatementSync;
  readonly #unfinished: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO jobs (id, agent, request, timeout_ms, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'submitted', ?, ?)`,
    );
    this.#byId = db.prepare("SELECT * FROM jobs WHERE id = ?");
    this.#setStatus = db.prepare(
      "UPDATE jobs SET status = ?, result = ?, error = ?, updated_at = ? WHERE id = ?",
    );
    this.#unfinished = db.prepare(
      `SELECT * FROM jobs INDEXED BY jobs_unfinished
       WHERE status IN ('submitted', 'running') ORDER BY created_at`,
    );
  }

  /** Records a new job as `submitted`. */
  create(job: { id: string; agent: string; request: AclMessage; timeoutMs: number }): JobRecord {
    const now = Date.now();
    this.#insert.run(job.id, job.agent, JSON.stringify(job.request), job.timeoutMs, now, now);
    return this.byId(job.id)!;
  }

  byId(id: string): JobRecord | undefined {
    const row = this.#byId.get(id) as Record<string, unknown> | undefined;
    return row ? _toJob(row) : undefined;
  }

  /** Moves a job on; `result` for complete, `error` for failed. */
  setStatus(
    id: string,
    status: JobStatus,
    outcome: { result?: AclMessage; error?: string } = {},
  ): void {
    this.#setStatus.run(
      status,
      outcome.result ? JSON.stringify(outcome.result) : null,
      outcome.error ?? null,
      Date.now(),
      id,
    );
  }

  /** Jobs submitted or running, oldest first: what a restart runs again. */
  unfinished(): JobRecord[] {
    return (this.#unfinished.all() as Record<string, unknown>[]).map(_toJob);
  }
}
