/**
 * Caxton as an MCP server, so an LLM client can work with the agent system:
 * list agents, send a message, send a request and await its reply, read a
 * conversation from the message log. One {@linkcode CaxtonMcp} per node; it
 * builds an SDK server per connection (stdio) or per HTTP request (stateless
 * Streamable HTTP).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { type AclMessage, PERFORMATIVES, toAclMessage } from "../acl/mod.ts";
import type { Router } from "../router/mod.ts";
import type { LoggedMessage } from "../store/mod.ts";

/** The agent fields the MCP tools show. */
export interface McpAgentSummary {
  name: string;
  state: string;
  version: number;
  capabilities: string[];
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

/** The host names a node listening on `host` answers to on `/mcp`, or undefined for any. */
export function mcpHostnames(host: string): string[] | undefined {
  if (host === "0.0.0.0" || host === "::" || host === "[::]") return undefined;
  return [...new Set([host, "127.0.0.1", "localhost", "::1", "[::1]"])];
}

/** The participant that sends for `send_message`; replies to it stay in the log. */
export const MCP_PARTICIPANT = "ext:mcp";

type _Result = {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

function _json(value: Record<string, unknown>): _Result {
  return {
    content: [{ type: "text", text: JSON.stringify(value) }],
    structuredContent: value,
  };
}

function _error(text: string): _Result {
  return { content: [{ type: "text", text }], isError: true };
}

/** Caxton's MCP front door. Build in main.ts; close with the node. */
export class CaxtonMcp {
  readonly #deps: CaxtonMcpDeps;
  readonly #participant: Disposable;
  readonly #waits = new Set<() => void>();
  #closed = false;

  constructor(deps: CaxtonMcpDeps) {
    this.#deps = deps;
    // Replies to fire-and-forget messages land here and in the log (read_conversation).
    this.#participant = deps.router.registerExternal(MCP_PARTICIPANT, () => {});
  }

  /** A new SDK server with Caxton's tools. */
  createServer(): McpServer {
    const server = new McpServer({ name: "caxton", version: this.#deps.version });
    server.registerTool("list_agents", {
      description: "List the agents on this Caxton node: name, state, version, capabilities.",
    }, () => _json({ agents: this.#deps.listAgents() }));

    server.registerTool("send_message", {
      description:
        `Send a FIPA ACL message as "${MCP_PARTICIPANT}" without waiting; replies go to the conversation log (read_conversation).`,
      inputSchema: {
        receiver: z.string().describe("agent name, or tool:<server>/<tool>"),
        performative: z.enum(PERFORMATIVES).describe("FIPA communicative act, e.g. inform"),
        content: z.unknown().optional().describe("any JSON value"),
        conversationId: z.string().optional(),
        protocol: z.string().optional(),
      },
    }, (args: Record<string, unknown>) => {
      const conversationId = (args.conversationId as string | undefined) ?? crypto.randomUUID();
      const message = this.#parse({ ...args, conversationId, sender: MCP_PARTICIPANT });
      if (typeof message === "string") return _error(message);
      const delivered = this.#deps.router.route(message);
      return _json({ conversationId, delivered });
    });

    server.registerTool("request", {
      description:
        "Send a message (a FIPA request by default) to an agent and wait for its reply, which is returned.",
      inputSchema: {
        receiver: z.string().describe("agent name, or tool:<server>/<tool>"),
        content: z.unknown().optional().describe("any JSON value"),
        performative: z.enum(PERFORMATIVES).optional().describe("default request"),
        conversationId: z.string().optional(),
        timeoutMs: z.number().int().min(1).optional().describe("default and cap 30000"),
      },
    }, (args: Record<string, unknown>) => this.#request(args));

    server.registerTool("read_conversation", {
      description:
        "Read a conversation from the message log: every delivery, oldest first, with its status.",
      inputSchema: { conversationId: z.string() },
    }, async ({ conversationId }: { conversationId: string }) => {
      await this.#deps.router.flushLog();
      const deliveries = this.#deps.conversation(conversationId).map((d) => ({
        id: d.id,
        acceptedAt: new Date(d.acceptedAt).toISOString(),
        receiver: d.receiver,
        status: d.status,
        reason: d.reason,
        message: d.message,
      }));
      return _json({ conversationId, deliveries });
    });
    return server;
  }

  /** Serves one MCP client over this process's stdin/stdout; resolves when it disconnects. */
  async serveStdio(): Promise<void> {
    const server = this.createServer();
    const transport = new StdioServerTransport();
    await server.connect(transport);
    // Set after connect: connecting takes over the transport's own onclose.
    const closed = new Promise<void>((resolve) => server.server.onclose = resolve);
    // The SDK's stdio transport does not notice the end of stdin on its own.
    const { stdin } = await import("node:process");
    stdin.once("end", () => void server.close());
    await closed;
  }

  /**
   * Answers one Streamable HTTP request (stateless: no session, JSON
   * responses). Per the MCP spec's security rules for HTTP servers, a `Host`
   * the node does not answer to (DNS rebinding) and an `Origin` other than
   * the host asked (a web page elsewhere) are refused with 403.
   */
  async handleHttp(request: Request): Promise<Response> {
    const refusal = this.#refusal(request.headers);
    if (refusal) {
      return Response.json(
        { jsonrpc: "2.0", error: { code: -32000, message: refusal }, id: null },
        { status: 403 },
      );
    }
    const server = this.createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  }

  /** Unregisters the participant and ends pending waits. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#participant[Symbol.dispose]();
    for (const end of this.#waits) end();
  }

  #refusal(headers: Headers): string | null {
    const host = headers.get("host") ?? "";
    const allowed = this.#deps.allowedHostnames;
    if (allowed) {
      const hostname = host.startsWith("[")
        ? host.slice(0, host.indexOf("]") + 1)
        : host.split(":")[0]!;
      if (!allowed.includes(hostname)) {
        return `Host "${host}" is not one this node answers to on /mcp; use ${allowed[0]}`;
      }
    }
    const origin = headers.get("origin");
    if (origin === null) return null;
    try {
      if (new URL(origin).host === host) return null;
    } catch { /* not a URL: refused below */ }
    return `Origin "${origin}" may not use this MCP endpoint`;
  }

  #parse(fields: Record<string, unknown>): AclMessage | string {
    const { receiver, ...rest } = fields;
    const value: Record<string, unknown> = { receiver: [receiver] };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) value[k] = v;
    try {
      return toAclMessage(value);
    } catch (error) {
      return (error as Error).message;
    }
  }

  async #request(args: Record<string, unknown>): Promise<_Result> {
    if (this.#closed) return _error("Caxton is shutting down");
    const cap = this.#deps.maxWaitMs ?? 30_000;
    const waitMs = Math.min((args.timeoutMs as number | undefined) ?? cap, cap);
    const name = `ext:mcp-${crypto.randomUUID().slice(0, 8)}`;
    const replyWith = crypto.randomUUID();
    const conversationId = (args.conversationId as string | undefined) ?? crypto.randomUUID();
    const message = this.#parse({
      receiver: args.receiver,
      performative: args.performative ?? "request",
      content: args.content,
      sender: name,
      conversationId,
      replyWith,
    });
    if (typeof message === "string") return _error(message);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let end = () => {};
    let resolveReply: (m: AclMessage | null) => void = () => {};
    const reply = new Promise<AclMessage | null>((resolve) => resolveReply = resolve);
    const registration = this.#deps.router.registerExternal(name, (m) => {
      if (m.inReplyTo === replyWith) resolveReply(m);
    });
    end = () => resolveReply(null);
    this.#waits.add(end);
    try {
      timer = setTimeout(end, waitMs);
      this.#deps.router.route(message);
      const answer = await reply;
      if (!answer) {
        return _error(
          `No reply from "${
            String(args.receiver)
          }" within ${waitMs} ms; read_conversation ${conversationId} shows what happened`,
        );
      }
      return _json({ conversationId, reply: answer as unknown as Record<string, unknown> });
    } finally {
      clearTimeout(timer);
      this.#waits.delete(end);
      registration[Symbol.dispose]();
    }
  }
}
