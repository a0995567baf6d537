/**
 * @module
 * Caxton's configuration: defaults, file, environment and flags, validated.
 */
export { ConfigError, databasePath, defaultConfig, loadConfig, readConfigFile } from "./config.ts";
export type { CaxtonConfig, ConfigSources } from "./config.ts";
export { defaultMcpConfig, parseMcpConfig } from "./mcp_config.ts";
export type {
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  StdioServerConfig,
} from "./mcp_config.ts";
