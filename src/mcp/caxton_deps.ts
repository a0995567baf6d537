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

/** What list_agents shows of an agent as the node describes it. */
export function mcpAgentSummary(agent: {
  name: string;
  state: string;
  version: number;
  capabilityDetails: McpCapability[];
  tools: string[];
  mailboxDepth: number;
}): McpAgentSummary {
  return {
    name: agent.name,
    state: agent.state,
    version: agent.version,
    // With the description and content example each capability was declared with.
    capabilities: agent.capabilityDetails,
    tools: agent.tools,
    mailboxDepth: agent.mailboxDepth,
  };
}

/** What Caxton's MCP server needs from the node. */
export interface CaxtonMcpDeps {
  router: Router;
  /**
   * A page of agents in name order after the cursor `after` (at most `limit`),
   * and the cursor of the next page or null: a node may hold 100,000 (issue 21).
   */
  listAgents: (page: { after?: string; limit?: number }) => {
    agents: McpAgentSummary[];
    next: string | null;
  };
  /** One agent, or undefined when none has that name. */
  agent: (name: string) => McpAgentSummary | undefined;
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
