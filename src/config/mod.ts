/**
 * @module
 * Caxton's configuration: defaults, file, environment and flags, validated.
 */
export { ConfigError, databasePath, defaultConfig, loadConfig, readConfigFile } from "./config.ts";
export type { CaxtonConfig, ConfigSources } from "./config.ts";
