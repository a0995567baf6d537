/**
 * Agents and conversations as MCP resources, for clients that attach context
 * rather than call tools: `caxton://agents/{name}` (what list_agents shows of
 * one agent) and `caxton://conversations/{id}` (what read_conversation shows).
 * The first page of agents is listed (list_agents pages through them all);
 * conversations listed are those this node's MCP server took part in lately
 * (the log keeps every conversation; read any by id).
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CaxtonMcpDeps } from "./caxton_deps.ts";
import { readConversation } from "./caxton_tools.ts";
import { DEFAULT_AGENTS_PAGE } from "./caxton_schemas.ts";

/** The URI of agent `name`. */
export function agentUri(name: string): string {
  return `caxton://agents/${encodeURIComponent(name)}`;
}

/** The URI of conversation `id`. */
export function conversationUri(id: string): string {
  return `caxton://conversations/${encodeURIComponent(id)}`;
}

// The SDK's "resource not found" code (MCP spec), which its ErrorCode enum does not name.
const _RESOURCE_NOT_FOUND = -32002;

const _JSON = "application/json";

type _Variables = Record<string, string | string[]>;

function _variable(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? value[0] ?? "" : value ?? "");
}

/** Registers the agent and conversation resource templates on `server`. */
export function registerCaxtonResources(
  server: McpServer,
  deps: CaxtonMcpDeps,
  recentConversations: () => readonly string[],
): void {
  server.registerResource(
    "agent",
    new ResourceTemplate("caxton://agents/{name}", {
      // The SDK's resource listing has no cursor: the first page; list_agents pages the rest.
      list: () => ({
        resources: deps.listAgents({ limit: DEFAULT_AGENTS_PAGE }).agents.map((a) => ({
          uri: agentUri(a.name),
          name: a.name,
          title: `Agent ${a.name}`,
          description: `${a.state}, version ${a.version}; capabilities: ${
            a.capabilities.map((c) => c.name).join(", ") || "none"
          }`,
          mimeType: _JSON,
        })),
      }),
    }),
    {
      title: "Agent",
      description:
        "One agent: state, version, tools, and its capabilities with the content each expects",
      mimeType: _JSON,
    },
    (uri: URL, variables: _Variables) => {
      const name = _variable(variables.name);
      const agent = deps.agent(name);
      if (!agent) {
        throw new McpError(
          _RESOURCE_NOT_FOUND,
          `No agent "${name}" on this node; list the resources (or call list_agents) for the names`,
        );
      }
      return { contents: [{ uri: uri.href, mimeType: _JSON, text: JSON.stringify(agent) }] };
    },
  );

  server.registerResource(
    "conversation",
    new ResourceTemplate("caxton://conversations/{id}", {
      list: () => ({
        resources: recentConversations().map((id) => ({
          uri: conversationUri(id),
          name: id,
          title: `Conversation ${id}`,
          mimeType: _JSON,
        })),
      }),
    }),
    {
      title: "Conversation",
      description: "One conversation from the message log: every delivery, oldest first",
      mimeType: _JSON,
    },
    async (uri: URL, variables: _Variables) => {
      const id = _variable(variables.id);
      const read = await readConversation(deps, id);
      if ((read.deliveries as unknown[]).length === 0) {
        throw new McpError(
          _RESOURCE_NOT_FOUND,
          `No conversation "${id}" in the message log (is the log on?)`,
        );
      }
      return { contents: [{ uri: uri.href, mimeType: _JSON, text: JSON.stringify(read) }] };
    },
  );
}
