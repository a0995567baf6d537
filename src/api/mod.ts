/**
 * @module
 * The REST API (Hono): agents, messages, participants, services, probes,
 * metrics, RFC 9457 problems and the OpenAPI document.
 */
export { createApp, openApiDocument } from "./app.ts";
export type { ApiDeps, ApiOptions } from "./deps.ts";
export { problem, ProblemError, problemResponse } from "./problem_details.ts";
export type { Problem } from "./problem_details.ts";
export type { OpenApiDocument } from "./openapi.ts";
export { listen, ListenError } from "./listen.ts";
export type { Listener } from "./listen.ts";
