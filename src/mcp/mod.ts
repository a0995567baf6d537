/**
 * @module
 * MCP in both directions. Tools for agents: every tool of a configured MCP
 * server (stdio or Streamable HTTP) is reachable at `tool:<server>/<tool>`;
 * an agent sends it a `request` and gets `inform` or `failure` back, within
 * its allowlist, concurrency limit and a timeout. Caxton as an MCP server:
 * tools to list agents, send messages, await replies and read conversations,
 * agents and conversations as resources, log notifications, over Streamable
 * HTTP (`/mcp`) and stdio (`caxton mcp`). See docs/MCP.md.
 */
// The `mcp` config schema lives with the rest of the configuration (src/config).
export { defaultMcpConfig, parseMcpConfig } from "../config/mod.ts";
export type {
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  StdioServerConfig,
} from "../config/mod.ts";
export { isToolGranted } from "./grants.ts";
export { TOOL_PREFIX, ToolGateway } from "./tool_gateway.ts";
export type {
  ToolCallOutcome,
  ToolCallRecord,
  ToolCounters,
  ToolGatewayDeps,
  ToolServerView,
  ToolView,
} from "./tool_gateway.ts";
export { ToolServerUnavailableError } from "./tool_server.ts";
export type { ToolServerStatus } from "./tool_server.ts";
export { CaxtonMcp } from "./caxton_server.ts";
export { MCP_PARTICIPANT, mcpAgentSummary } from "./caxton_deps.ts";
export type { CaxtonMcpDeps, McpAgentSummary, McpCapability } from "./caxton_deps.ts";
export { mcpHostnames } from "./http_guard.ts";
