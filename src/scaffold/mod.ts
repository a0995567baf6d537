/**
 * @module
 * Agent projects: `caxton agent new` scaffolds one in an SDK language — its
 * source (an echo agent), a copy of the SDK, `caxton.json` and a test spec;
 * `caxton agent test` builds it and checks it against a real in-process node.
 */
export { AGENT_LANGUAGES, scaffoldAgent, ScaffoldError } from "./scaffold.ts";
export type { ScaffoldOptions, ScaffoldResult } from "./scaffold.ts";
export { PROJECT_TEST_FILE, testAgentProject } from "./test_runner.ts";
export type { ProjectTestCase, ProjectTestReport, ProjectTestResult } from "./test_runner.ts";
