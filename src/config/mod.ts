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
export type { ClusterConfig, ClusterTls } from "./cluster_config.ts";
export { defaultScaleConfig, parseScaleConfig } from "./scale_config.ts";
export type { ScaleConfig } from "./scale_config.ts";
