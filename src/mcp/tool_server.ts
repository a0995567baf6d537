/**
 * One configured MCP server as Caxton's client: connects at start, retries
 * with exponential backoff, and reconnects (a stdio server is started again)
 * whenever the connection closes without Caxton asking.
 */
import type { CircuitBreaker } from "../resilience/mod.ts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Logger } from "../telemetry/mod.ts";
import type { McpServerConfig } from "../config/mod.ts";

/** Where a server connection stands. */
export type ToolServerStatus = "connecting" | "connected" | "restarting" | "closed";

/** A tool a server lists. */
export interface ToolInfo {
  name: string;
  description?: string;
  inputSchema: unknown;
}

/** What a tool call returned (MCP `CallToolResult`). */
export interface ToolResult {
  content: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
}

/** Raised when a call cannot be made because the server is not connected. */
export class ToolServerUnavailableError extends Error {
  readonly code = "tool_server_unavailable";
  constructor(readonly server: string, readonly detail: string) {
    super(
      `Cannot call a tool of MCP server "${server}": it is not connected (${detail}); Caxton retries with backoff, try again shortly`,
    );
    this.name = "ToolServerUnavailableError";
  }
}

/** Options of {@linkcode ToolServer}. */
export interface ToolServerOptions {
  logger: Logger;
  /** Told each time the server lists its tools (after every (re)connect). */
  onTools: (tools: ToolInfo[]) => void;
  /** First retry delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A connect attempt (start and tool listing) that takes longer fails. */
  connectTimeoutMs?: number;
  /** The breaker around its calls (issue 17); none: calls always go. */
  breaker?: CircuitBreaker;
}

/** The client side of one MCP server. Build, `start()`, and `close()`. */
export class ToolServer {
  readonly name: string;
  readonly config: McpServerConfig;
  readonly #options: ToolServerOptions;
  #client: Client | null = null;
  #transport: Transport | null = null;
  #status: ToolServerStatus = "connecting";
  #closed = false;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | null = null;
  #lastError: string | null = null;
  /** Connections made after the first (a crashed stdio server is a new process each time). */
  #restarts = 0;
  #everConnected = false;

  constructor(name: string, config: McpServerConfig, options: ToolServerOptions) {
    this.name = name;
    this.config = config;
    this.#options = options;
  }

  /** The breaker around calls to this server, if any. */
  get breaker(): CircuitBreaker | null {
    return this.#options.breaker ?? null;
  }

  get status(): ToolServerStatus {
    return this.#status;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get lastError(): string | null {
    return this.#lastError;
  }
  /** PID of the running stdio server, or null (HTTP, or not running). */
  get pid(): number | null {
    return this.#transport instanceof StdioClientTransport ? this.#transport.pid : null;
  }

  /** Makes the first connection attempt; later ones run in the background. Never throws. */
  start(): Promise<void> {
    this.#connecting ??= this.#connect();
    return this.#connecting;
  }

  /** Calls `tool`; rejects on timeout, a closed connection or a protocol error. */
  async call(tool: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolResult> {
    const client = this.#client;
    if (!client || this.#status !== "connected") {
      throw new ToolServerUnavailableError(this.name, this.#lastError ?? this.#status);
    }
    return await client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: timeoutMs,
    }) as ToolResult;
  }

  /** Stops retrying and closes the connection (a stdio server is stopped). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#status = "closed";
    clearTimeout(this.#retry);
    await this.#connecting;
    const client = this.#client;
    this.#client = null;
    this.#transport = null;
    await client?.close().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const transport = this.#newTransport();
    const client = new Client({ name: "caxton", version: "0.1.0" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A server may die between connecting and being adopted below: remember it.
    let closedEarly = false;
    client.onclose = () => {
      if (this.#client === client) this.#lost(client, "connection closed");
      else closedEarly = true;
    };
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${this.#connectTimeoutMs} ms`)),
          this.#connectTimeoutMs,
        );
      });
      await Promise.race([client.connect(transport), timeout]);
      const { tools } = await Promise.race([
        client.listTools(undefined, { timeout: this.#connectTimeoutMs }),
        timeout,
      ]);
      clearTimeout(timer);
      if (this.#closed) {
        await client.close().catch(() => {});
        return;
      }
      this.#client = client;
      this.#transport = transport;
      this.#status = "connected";
      this.#attempt = 0;
      this.#lastError = null;
      if (this.#everConnected) this.#restarts++;
      this.#everConnected = true;
      this.#options.onTools(
        (tools as ToolInfo[]).map((t) => ({
          name: t.name,
          description: t.description,
          inputSchema: t.inputSchema,
        })),
      );
      this.#options.logger.log("info", "MCP server connected", {
        "caxton.mcp.server": this.name,
        tools: tools.length,
        restarts: this.#restarts,
      });
      if (closedEarly) this.#lost(client, "connection closed right after connecting");
    } catch (error) {
      clearTimeout(timer);
      await client.close().catch(() => {});
      this.#lastError = (error as Error).message;
      this.#options.logger.log("warn", "MCP server connection failed", {
        "caxton.mcp.server": this.name,
        error: this.#lastError,
      });
      this.#scheduleRetry();
    } finally {
      this.#connecting = null;
    }
  }

  #lost(client: Client, reason: string): void {
    if (this.#closed || this.#client !== client) return;
    this.#client = null;
    this.#transport = null;
    this.#lastError = reason;
    this.#options.logger.log("warn", "MCP server lost; reconnecting", {
      "caxton.mcp.server": this.name,
      reason,
    });
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    this.#status = this.#everConnected ? "restarting" : "connecting";
    const base = this.#options.backoffMs ?? 100;
    const delay = Math.min(base * 2 ** this.#attempt++, this.#options.maxBackoffMs ?? 10_000);
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#connecting ??= this.#connect();
    }, delay);
  }

  get #connectTimeoutMs(): number {
    return this.#options.connectTimeoutMs ?? 10_000;
  }

  #newTransport(): Transport {
    const config = this.config;
    if ("url" in config) {
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: config.headers ? { headers: config.headers } : undefined,
      });
    }
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: config.env, // added to the SDK's minimal default environment
      cwd: config.cwd,
      stderr: "pipe",
    });
    // Drained so a chatty server never blocks on a full pipe; kept at debug.
    transport.stderr?.on(
      "data",
      (chunk: Uint8Array) =>
        this.#options.logger.log("debug", "MCP server stderr", {
          "caxton.mcp.server": this.name,
          text: new TextDecoder().decode(chunk).trimEnd(),
        }),
    );
    return transport;
  }
}
