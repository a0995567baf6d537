/**
 * @module
 * `caxton agent new`: scaffolds a buildable agent project in one of the SDK
 * languages — its source (an echo agent), a copy of the SDK, a build script
 * and a test that deploys the agent into a real Caxton node.
 */
export { AGENT_LANGUAGES, agentNewCommand, scaffoldAgent, ScaffoldError } from "./scaffold.ts";
export type { AgentLanguage, ScaffoldOptions, ScaffoldResult } from "./scaffold.ts";
