/** The store: one SQLite connection, its repositories, transactions and backup. */
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "./database.ts";
import { AgentRepository } from "./agents.ts";
import { ModuleRepository } from "./modules.ts";
import { StateRepository } from "./state.ts";
import { MessageLog } from "./message_log.ts";
import { JobRepository } from "./jobs.ts";
import { ParticipantRepository } from "./participants.ts";
import { TimerRepository } from "./timers.ts";
import { backupDatabase } from "./backup.ts";
import { ApiKeyRepository } from "./api_keys.ts";
import { AuditLog } from "./audit_log.ts";
import { DeploymentRepository } from "./deployments.ts";

/** Everything the rest of Caxton may do with persisted data. */
export interface Store {
  readonly agents: AgentRepository;
  readonly modules: ModuleRepository;
  readonly state: StateRepository;
  /** The durable message log; write it through a {@linkcode GroupCommitWriter}. */
  readonly messages: MessageLog;
  /** Asynchronous jobs and their results. */
  readonly jobs: JobRepository;
  /** Registrations of outside participants. */
  readonly participants: ParticipantRepository;
  /** Durable timers and reminders of agents. */
  readonly timers: TimerRepository;
  /** API keys (issue 17). */
  readonly apiKeys: ApiKeyRepository;
  /** The hash-chained audit trail (issue 17). */
  readonly audit: AuditLog;
  /** Deployments of agents and their reports (issue 16). */
  readonly deployments: DeploymentRepository;
  /** Runs `fn` atomically: all its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  /** Writes a consistent copy of the live database to a new file. */
  backup(target: string): void;
  close(): void;
  [Symbol.dispose](): void;
}

/** A {@linkcode Store} over one `node:sqlite` connection: the single writer. */
class SqliteStore implements Store {
  readonly agents: AgentRepository;
  readonly modules: ModuleRepository;
  readonly state: StateRepository;
  readonly messages: MessageLog;
  readonly jobs: JobRepository;
  readonly participants: ParticipantRepository;
  readonly timers: TimerRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditLog;
  readonly deployments: DeploymentRepository;
  readonly #db: DatabaseSync;
  #depth = 0;
  #closed = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.agents = new AgentRepository(db);
    this.modules = new ModuleRepository(db);
    this.state = new StateRepository(db);
    this.messages = new MessageLog(db, (fn) => this.transaction(fn));
    this.jobs = new JobRepository(db);
    this.participants = new ParticipantRepository(db);
    this.timers = new TimerRepository(db);
    this.apiKeys = new ApiKeyRepository(db);
    this.audit = new AuditLog(db, (fn) => this.transaction(fn));
    this.deployments = new DeploymentRepository(db);
  }

  transaction<T>(fn: () => T): T {
    const savepoint = `sp${this.#depth}`;
    this.#db.exec(this.#depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    this.#depth++;
    try {
      const result = fn();
      this.#depth--;
      this.#db.exec(this.#depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.#depth--;
      this.#db.exec(
        this.#depth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`,
      );
      throw error;
    }
  }

  backup(target: string): void {
    this.audit.flush();
    backupDatabase(this.#db, target);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.audit.flush();
    this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens the store at `path` (a file, or `:memory:` for tests), migrating it. */
export function openStore(path: string): Store {
  return new SqliteStore(openDatabase(path));
}
