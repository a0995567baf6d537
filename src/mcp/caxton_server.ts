/**
 * Caxton as an MCP server, so an LLM client can work with the agent system:
 * tools to list agents, send a message, send a request and await its reply,
 * read a conversation; agents and conversations as resources; log
 * notifications at the level the client sets. One {@linkcode CaxtonMcp} per
 * node; it builds an SDK server per connection (stdio) or per HTTP request
 * (stateless Streamable HTTP).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type CaxtonMcpDeps, MCP_PARTICIPANT } from "./caxton_deps.ts";
import { registerCaxtonResources } from "./caxton_resources.ts";
import { registerCaxtonTools } from "./caxton_tools.ts";
import { mcpRefusal } from "./http_guard.ts";
import { ReplyWaiter } from "./reply_waiter.ts";

/** How many conversations the resources list (the most recent the MCP server took part in). */
const _RECENT_CONVERSATIONS = 100;

function _jsonRpcError(status: number, message: string, headers: HeadersInit = {}): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message }, id: null },
    { status, headers },
  );
}

/** Caxton's MCP front door. Build in main.ts; close with the node. */
export class CaxtonMcp {
  readonly #deps: CaxtonMcpDeps;
  readonly #participant: Disposable;
  readonly #waiter: ReplyWaiter;
  // Insertion-ordered; re-touching moves a conversation to the end.
  readonly #recent = new Set<string>();
  #closed = false;

  constructor(deps: CaxtonMcpDeps) {
    this.#deps = deps;
    this.#waiter = new ReplyWaiter(deps.router);
    // Replies to fire-and-forget messages land here and in the log (read_conversation).
    this.#participant = deps.router.registerExternal(MCP_PARTICIPANT, () => {});
  }

  /**
   * A new SDK server with Caxton's tools and resources, declaring logging;
   * messages its tools send continue `traceparent` (the HTTP caller's trace).
   */
  createServer(traceparent?: string): McpServer {
    const server = new McpServer({ name: "caxton", version: this.#deps.version }, {
      capabilities: { logging: {} },
    });
    registerCaxtonTools(server, {
      deps: this.#deps,
      waiter: this.#waiter,
      touched: (id) => this.#touch(id),
      ...(traceparent !== undefined ? { traceparent } : {}),
    });
    registerCaxtonResources(server, this.#deps, () => [...this.#recent].reverse());
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
   * responses). A stateless server offers no stream to GET and no session to
   * DELETE, so both answer 405 as the Streamable HTTP spec provides. Per the
   * spec's security rules, a `Host` the node does not answer to (DNS
   * rebinding) and an `Origin` other than the host asked are refused with 403.
   */
  async handleHttp(request: Request, traceparent?: string): Promise<Response> {
    const refusal = mcpRefusal(request.headers, this.#deps.allowedHostnames);
    if (refusal) return _jsonRpcError(403, refusal);
    if (request.method === "GET" || request.method === "DELETE") {
      return _jsonRpcError(
        405,
        `${request.method} /mcp is not offered: this endpoint is stateless (no session, no server stream); POST each JSON-RPC message`,
        { allow: "POST" },
      );
    }
    const server = this.createServer(traceparent);
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
    this.#waiter.close();
  }

  #touch(conversationId: string): void {
    this.#recent.delete(conversationId);
    this.#recent.add(conversationId);
    if (this.#recent.size > _RECENT_CONVERSATIONS) {
      this.#recent.delete(this.#recent.values().next().value!);
    }
  }
}
