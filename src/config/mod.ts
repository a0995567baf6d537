/**
 * @module
 * Caxton's configuration: defaults, file, environment and flags, validated.
 */
export {
  ConfigError,
  configFileOf,
  databasePath,
  defaultConfig,
  loadConfig,
  readConfigFile,
} from "./config.ts";
export type { CaxtonConfig, ConfigSources } from "./config.ts";
export {
  nodeRecordPath,
  readNodeRecord,
  removeNodeRecord,
  writeNodeRecord,
} from "./node_record.ts";
export type { NodeRecord } from "./node_record.ts";
export { defaultMcpConfig, parseMcpConfig } from "./mcp_config.ts";
export type {
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  StdioServerConfig,
} from "./mcp_config.ts";
export { DEFAULT_UNREACHABLE_MS, parseClusterConfig } from "./cluster_config.ts";
// Agents' limits: settings of the node and of each deployment, enforced by src/runtime.
export {
  DEFAULT_LIMITS,
  FUEL_PER_DEADLINE_MS,
  InvalidLimitError,
  MAX_DEADLINE_MS,
  resolveLimits,
} from "./agent_limits.ts";
export type { AgentLimits, Isolation } from "./agent_limits.ts";
export { LOG_LEVELS } from "./settings.ts";
export { parseAddress, parseAllowlist } from "./webhook_allowlist.ts";
export type { AllowlistEntry } from "./webhook_allowlist.ts";
export type { LogLevel } from "./settings.ts";
export type { ClusterConfig, ClusterTls } from "./cluster_config.ts";
export { defaultSecurityConfig, parseSecurityConfig } from "./security_config.ts";
export type { BucketConfig, JwtConfig, RoleConfig, SecurityConfig } from "./security_config.ts";
export { defaultScaleConfig, parseScaleConfig } from "./scale_config.ts";
export { defaultPoolsConfig, parsePoolsConfig } from "./pools_config.ts";
export type { PoolsConfig } from "./pools_config.ts";
export type { ScaleConfig } from "./scale_config.ts";
export { defaultSchedulingConfig, parseSchedulingConfig } from "./scheduling_config.ts";
export type { SchedulingConfig } from "./scheduling_config.ts";
