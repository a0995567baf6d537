/**
 * @module
 * The REST API (Hono), RFC 9457 problems and probes.
 */
export { createApp } from "./app.ts";
export type { ApiDeps } from "./deps.ts";
export { problem, ProblemError, problemResponse } from "./problem.ts";
export type { Problem } from "./problem.ts";
