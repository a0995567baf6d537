/**
 * @module
 * Logging (and, later, tracing and metrics) for Caxton's components.
 */
export { createJsonLogger, LOG_LEVELS, SILENT_LOGGER } from "./logger.ts";
export type { Logger, LogLevel } from "./logger.ts";
