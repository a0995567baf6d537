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
} from "../config/mod.ts";
export { firstSlice, FUEL_SLICE, METERING_VERSION } from "./fuel_meter.ts";
export type { AgentLimits, Isolation } from "../config/mod.ts";
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
export { unpackOpened } from "./delivery_codec.ts";
export type {
  CapabilityDeclaration,
  DirectNote,
  DirectTally,
  Effects,
  Outcome,
  RunFailureCode,
  TimerChange,
} from "./worker_protocol.ts";
// The ABI's surface as data; src/toolchain imports abi_v1.ts itself, as it has no
// dependency and this front door loads binaryen.
export {
  ABI_V1_EXPORTS,
  ABI_V1_FEATURES,
  ABI_V1_IMPORTS,
  ABI_V1_MODULE,
  describeAbiFeatures,
} from "./abi_v1.ts";
export type { AbiFeature, AbiSignature } from "./abi_v1.ts";
export { ModulePreparer } from "./module_preparer.ts";
export { detectLanguage, KNOWN_LANGUAGES, LANGUAGE_PATTERN } from "./module_language.ts";
export type { DetectedLanguage } from "./module_language.ts";
export { ModuleRejectedError } from "./module_rules.ts";
export type { PreparedModule } from "./prepare.ts";
