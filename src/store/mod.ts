/**
 * @module
 * Caxton's embedded store on `node:sqlite`: WAL, numbered migrations, one
 * writer, repositories in domain words, message log retention, backup and restore. The schema is in
 * docs/SCHEMA.md.
 *
 * @example
 * ```ts
 * import { openStore } from "./mod.ts";
 * using store = openStore(":memory:");
 * console.log(store.agents.list().length); // 0
 * ```
 */
export { openStore } from "./store.ts";
export type { Store } from "./store.ts";
export { StoreOpenError } from "./database.ts";
export { BackupError, restoreDatabase, verifyBackup } from "./backup.ts";
export { DataDirLockedError, lockDataDir } from "./data_dir_lock.ts";
export type { DataDirHolder, DataDirLock } from "./data_dir_lock.ts";
export type {
  AgentEventRecord,
  AgentRecord,
  CapabilityRecord,
  NewAgent,
  NewAgents,
  StoredAgentState,
  StoredIsolation,
  StoredLimits,
  ToolLimits,
  TransitionCause,
  TransitionRecord,
} from "./agent_records.ts";
export type { ModuleBuild } from "./modules.ts";
export type { StateEntry, StatePage, StateWrite } from "./state.ts";
export { MessageLog } from "./message_log.ts";
export type {
  DeadLetter,
  DeliveryStatus,
  LogBatch,
  LoggedMessage,
  LogOutcome,
  LogRecord,
  LogSize,
  MessageEntry,
  Pruned,
} from "./log_records.ts";
export { LogWriterOpenError, LogWriterWorker } from "./log_writer.ts";
export { LogRetention } from "./retention.ts";
export type { LogRetentionOptions, RetainedLog } from "./retention.ts";
export { JobRepository } from "./jobs.ts";
export type { JobRecord, JobStatus } from "./jobs.ts";
export { ParticipantRepository } from "./participants.ts";
export type { ParticipantRecord } from "./participants.ts";
export { GroupCommitWriter, MessageLogWriteError } from "./group_commit.ts";
export type { GroupCommitOptions, LogSink, MessageLogMode, MessageWriter } from "./group_commit.ts";
export { TimerRepository } from "./timers.ts";
export type { DueTimer, TimerRecord } from "./timers.ts";
export { ApiKeyRepository } from "./api_keys.ts";
export { DeploymentRepository } from "./deployments.ts";
export type { DeploymentRecord, NewDeployment } from "./deployments.ts";
export type { ApiKeyRecord } from "./api_keys.ts";
export { AUDIT_GENESIS, auditHash, AuditLog } from "./audit_log.ts";
export type { AuditEntry, AuditEvent, AuditVerdict } from "./audit_log.ts";
