/** What Caxton's MCP server needs from the node, and what it shows of an agent. */
import type { Router } from "../router/mod.ts";
import type { LoggedMessage } from "../store/mod.ts";

/** A capability with what its agent expects: shown so a model knows what to send. */
export interface McpCapability {
  name: string;
  description?: string;
  example?: unknown;
}

/** The agent fields the MCP tools and resources show. */
export interface McpAgentSummary {
  name: string;
  state: string;
  version: number;
  capabilities: McpCapability[];
  tools: string[];
  mailboxDepth: number;
}

/** What Caxton's MCP server needs from the node. */
export interface CaxtonMcpDeps {
  router: Router;
  listAgents: () => McpAgentSummary[];
  /** The message log of a conversation (one row per delivery). */
  conversation: (conversationId: string) => LoggedMessage[];
  version: string;
  /** Longest wait of the `request` tool (default 30 s). */
  maxWaitMs?: number;
  /**
   * Host names `/mcp` answers to (the `Host` header, port aside); undefined
   * answers any (a node listening on all interfaces). Guards against DNS rebinding.
   */
  allowedHostnames?: readonly string[];
}

/** The participant that sends for `send_message`; replies to it stay in the log. */
export const MCP_PARTICIPANT = "ext:mcp";
