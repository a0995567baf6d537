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
