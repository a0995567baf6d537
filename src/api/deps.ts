/** What the HTTP layer needs from the node. */
import type { AgentManager } from "../lifecycle/mod.ts";
import type { CaxtonMcp, ToolGateway } from "../mcp/mod.ts";
import type { WorkerPool } from "../runtime/mod.ts";

export interface ApiDeps {
  agents: AgentManager;
  pool: WorkerPool;
  /** Whether startup (store open, agents restored) has finished. */
  isReady: () => boolean;
  version: string;
  /** MCP tools for agents (`GET /api/v1/tools`); absent: the route is not mounted. */
  tools?: ToolGateway;
  /** Caxton as an MCP server (`/mcp`); absent: the route is not mounted. */
  mcp?: CaxtonMcp;
}
