/**
 * @module
 * WASM agent hosting: module validation and fuel metering at deploy time, a
 * pool of permission-less workers running many agent instances each, the ABI
 * v1 host functions, limits and the watchdog. See docs/ABI.md.
 */
export {
  DEFAULT_LIMITS,
  FUEL_PER_DEADLINE_MS,
  InvalidLimitError,
  MAX_DEADLINE_MS,
  resolveLimits,
} from "./limits.ts";
export { firstSlice, FUEL_SLICE, METERING_VERSION } from "./fuel_meter.ts";
export type { AgentLimits, Isolation } from "./limits.ts";
export { AgentLoadError, WorkerPool } from "./worker_pool.ts";
export type {
  DeliverOptions,
  DirectSpec,
  LoadSpec,
  PoolStatus,
  WorkerLoss,
  WorkerPoolOptions,
} from "./worker_pool.ts";
export { parseCapability } from "./capability.ts";
export type {
  CapabilityDeclaration,
  DirectNote,
  DirectTally,
  Effects,
  Outcome,
  RunFailureCode,
} from "./protocol.ts";
export { ModulePreparer } from "./module_preparer.ts";
export { ModuleRejectedError } from "./module_rules.ts";
export type { PreparedModule } from "./prepare.ts";
