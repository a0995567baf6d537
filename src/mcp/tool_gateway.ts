/**
 * Agents' calls to MCP tools. Every tool a configured server lists is reachable
 * at `tool:<server>/<tool>`: an agent sends it a `request` with JSON arguments
 * as content and gets `inform` (the result) or `failure` (the error) back,
 * threaded like any reply. Calls are checked against the agent's allowlist
 * (default deny) and its concurrency limit (`refuse` with the reason), bounded
 * by a timeout, logged, counted, and reported to an `onCall` hook (where a
 * span will be made once telemetry has a tracer). A tool that errors, hangs or
 * crashes costs one `failure`; a crashed server is started again.
 */
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { AclMessage, Performative } from "../acl/mod.ts";
import type { Endpoint, Envelope, Router } from "../router/mod.ts";
import { type Logger, SILENT_LOGGER } from "../telemetry/mod.ts";
import type { McpConfig } from "./config.ts";
import { isToolGranted } from "./grants.ts";
import {
  type ToolInfo,
  type ToolResult,
  ToolServer,
  type ToolServerStatus,
  ToolServerUnavailableError,
} from "./tool_server.ts";

/** The address prefix of tools. */
export const TOOL_PREFIX = "tool:";

/** How one call ended. */
export type ToolCallOutcome = "ok" | "error" | "timeout" | "refused" | "failed";

/** One finished call: what a span of it records. */
export interface ToolCallRecord {
  server: string;
  tool: string;
  /** The agent or participant that called. */
  caller: string;
  outcome: ToolCallOutcome;
  durationMs: number;
  /** Why, when the outcome is not "ok". */
  detail?: string;
  conversationId?: string;
}

/** Calls to one tool since the node started. */
export interface ToolCounters {
  calls: number;
  ok: number;
  errors: number;
  timeouts: number;
  refused: number;
  failed: number;
  /** Sum of the durations of answered calls, ms. */
  totalMs: number;
}

/** A tool as `GET /api/v1/tools` shows it. */
export interface ToolView {
  address: string;
  name: string;
  description?: string;
  inputSchema: unknown;
  counters: ToolCounters;
}

/** A configured server and its tools. */
export interface ToolServerView {
  name: string;
  transport: "stdio" | "http";
  status: ToolServerStatus;
  restarts: number;
  lastError: string | null;
  pid: number | null;
  tools: ToolView[];
}

/** What the gateway needs. */
export interface ToolGatewayDeps {
  router: Router;
  config: McpConfig;
  /**
   * The grants of agent `name` and its own limits (absent ones take the
   * config's), or undefined when it is not an agent.
   */
  toolPolicy: (
    name: string,
  ) =>
    | { tools: readonly string[]; limits: { maxConcurrentCalls?: number; callTimeoutMs?: number } }
    | undefined;
  logger?: Logger;
  /** Called after every call (the span hook). */
  onCall?: (call: ToolCallRecord) => void;
  /**
   * Told when a call starts (the request's traceparent included); the
   * function it returns is told how it ended (null, or why not) — a span.
   */
  onCallStart?: (
    server: string,
    tool: string,
    request: AclMessage,
  ) => (failure: string | null) => void;
  /** First reconnect delay (ms), doubling up to 10 s. */
  backoffMs?: number;
}

interface _Tool {
  info: ToolInfo;
  counters: ToolCounters;
  endpoint: Endpoint;
}

interface _Server {
  server: ToolServer;
  tools: Map<string, _Tool>;
}

/** Plugs every configured MCP server's tools into the router. Build in main.ts. */
export class ToolGateway {
  readonly #deps: ToolGatewayDeps;
  readonly #log: Logger;
  readonly #servers = new Map<string, _Server>();
  readonly #inFlight = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(deps: ToolGatewayDeps) {
    this.#deps = deps;
    this.#log = deps.logger ?? SILENT_LOGGER;
    for (const [name, config] of Object.entries(deps.config.servers)) {
      const entry: _Server = {
        tools: new Map(),
        server: new ToolServer(name, config, {
          logger: this.#log,
          backoffMs: deps.backoffMs,
          onTools: (tools) => this.#onTools(entry, tools),
        }),
      };
      this.#servers.set(name, entry);
    }
  }

  /** Connects to every server once (failures retry in the background). */
  async start(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((s) => s.server.start()));
  }

  /** Every server, its state and its tools with their counters. */
  list(): ToolServerView[] {
    return [...this.#servers.values()].map(({ server, tools }) => ({
      name: server.name,
      transport: "url" in server.config ? "http" : "stdio",
      status: server.status,
      restarts: server.restarts,
      lastError: server.lastError,
      pid: server.pid,
      tools: [...tools.values()].map((t) => ({
        address: `${TOOL_PREFIX}${server.name}/${t.info.name}`,
        name: t.info.name,
        description: t.info.description,
        inputSchema: t.info.inputSchema,
        counters: { ...t.counters },
      })),
    }));
  }

  /** Calls in flight, all agents together. */
  get inFlight(): number {
    let n = 0;
    for (const count of this.#inFlight.values()) n += count;
    return n;
  }

  /** Detaches the tools, waits for calls in flight, stops the servers. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { server, tools } of this.#servers.values()) {
      for (const [name, tool] of tools) {
        this.#deps.router.detach(`${TOOL_PREFIX}${server.name}/${name}`, tool.endpoint);
      }
    }
    await Promise.all([...this.#servers.values()].map((s) => s.server.close()));
    await Promise.all([...this.#pending]);
  }

  #onTools(entry: _Server, tools: ToolInfo[]): void {
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const info of tools) {
      seen.add(info.name);
      const known = entry.tools.get(info.name);
      if (known) {
        known.info = info;
        continue;
      }
      const tool: _Tool = {
        info,
        counters: { calls: 0, ok: 0, errors: 0, timeouts: 0, refused: 0, failed: 0, totalMs: 0 },
        endpoint: {
          enqueue: (envelope) => this.#track(this.#call(entry.server, tool, envelope)),
        },
      };
      entry.tools.set(info.name, tool);
      this.#deps.router.attach(`${TOOL_PREFIX}${entry.server.name}/${info.name}`, tool.endpoint);
    }
    for (const [name, tool] of entry.tools) {
      if (seen.has(name)) continue;
      entry.tools.delete(name);
      this.#deps.router.detach(`${TOOL_PREFIX}${entry.server.name}/${name}`, tool.endpoint);
    }
  }

  #track(call: Promise<void>): void {
    // #call answers every error itself; this only keeps a bug from becoming an unhandled rejection.
    const tracked = call.catch((error) =>
      this.#log.log("error", "tool call handling failed", { error: (error as Error).message })
    ).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  async #call(server: ToolServer, tool: _Tool, envelope: Envelope): Promise<void> {
    const message = envelope.message;
    const caller = message.sender;
    const address = `${TOOL_PREFIX}${server.name}/${tool.info.name}`;
    if (caller === undefined) return; // nobody to answer
    if (message.performative !== "request") {
      // Answers to the tool's own replies (a failure about a failure…) are not answered.
      if (message.inReplyTo === undefined) {
        this.#reply(envelope, address, "not-understood", {
          code: "not_a_request",
          reason:
            `"${address}" answers "request" only, got "${message.performative}"; send a request with the tool's arguments as JSON content`,
        });
      }
      return;
    }
    const started = performance.now();
    const ended = this.#deps.onCallStart?.(server.name, tool.info.name, message);
    const finish = (outcome: ToolCallOutcome, detail?: string) => {
      const durationMs = performance.now() - started;
      ended?.(outcome === "ok" ? null : detail ?? outcome);
      const c = tool.counters;
      c.calls++;
      if (outcome === "ok") c.ok++;
      else if (outcome === "error") c.errors++;
      else if (outcome === "timeout") c.timeouts++;
      else if (outcome === "refused") c.refused++;
      else c.failed++;
      if (outcome !== "refused") c.totalMs += durationMs;
      const record: ToolCallRecord = {
        server: server.name,
        tool: tool.info.name,
        caller,
        outcome,
        durationMs,
      };
      if (detail !== undefined) record.detail = detail;
      if (message.conversationId !== undefined) record.conversationId = message.conversationId;
      this.#log.log(outcome === "ok" ? "info" : "warn", "tool call", {
        "caxton.mcp.server": server.name,
        "caxton.mcp.tool": tool.info.name,
        "caxton.agent.name": caller,
        "caxton.conversation.id": message.conversationId,
        outcome,
        durationMs: Math.round(durationMs * 1000) / 1000,
        detail,
      });
      try {
        this.#deps.onCall?.(record);
      } catch (error) {
        this.#log.log("error", "onToolCall hook threw", { error: (error as Error).message });
      }
    };

    const policy = caller.startsWith("ext:") ? undefined : this.#deps.toolPolicy(caller);
    const timeoutMs = policy?.limits.callTimeoutMs ?? this.#deps.config.callTimeoutMs;
    const refusal = this.#refusal(caller, policy, server.name, tool.info.name, address);
    if (refusal) {
      this.#reply(envelope, address, "refuse", refusal);
      finish("refused", refusal.reason);
      return;
    }
    const args = _arguments(message.content);
    if (typeof args === "string") {
      this.#reply(envelope, address, "not-understood", { code: "invalid_arguments", reason: args });
      finish("refused", args);
      return;
    }
    this.#inFlight.set(caller, (this.#inFlight.get(caller) ?? 0) + 1);
    try {
      const result: ToolResult = await server.call(tool.info.name, args, timeoutMs);
      if (result.isError) {
        const reason = _text(result) || `"${address}" reported an error`;
        this.#reply(envelope, address, "failure", { code: "tool_error", reason, result });
        finish("error", reason);
      } else {
        const content: Record<string, unknown> = { content: result.content };
        if (result.structuredContent !== undefined) {
          content.structuredContent = result.structuredContent;
        }
        this.#reply(envelope, address, "inform", content);
        finish("ok");
      }
    } catch (error) {
      const timeout = error instanceof McpError &&
        (error as { code?: unknown }).code === ErrorCode.RequestTimeout;
      const code = timeout
        ? "tool_timeout"
        : error instanceof ToolServerUnavailableError
        ? "tool_unavailable"
        : "tool_failed";
      const reason = timeout
        ? `"${address}" did not answer within ${timeoutMs} ms (callTimeoutMs)`
        : `"${address}" failed: ${(error as Error).message}`;
      this.#reply(envelope, address, "failure", { code, reason });
      finish(timeout ? "timeout" : "failed", reason);
    } finally {
      const left = (this.#inFlight.get(caller) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(caller);
      else this.#inFlight.set(caller, left);
    }
  }

  /** Why `caller` may not call now, or null. Outside participants (`ext:`) are the operator's. */
  #refusal(
    caller: string,
    policy: ReturnType<ToolGatewayDeps["toolPolicy"]>,
    server: string,
    tool: string,
    address: string,
  ): { code: string; reason: string } | null {
    if (!caller.startsWith("ext:")) {
      if (!policy || !isToolGranted(policy.tools, server, tool)) {
        return {
          code: "tool_not_allowed",
          reason:
            `"${caller}" may not call "${address}": it is not in the agent's tools allowlist; deploy the agent with tools ["${server}/${tool}"] or ["${server}/*"]`,
        };
      }
    }
    const max = policy?.limits.maxConcurrentCalls ?? this.#deps.config.maxConcurrentCalls;
    if ((this.#inFlight.get(caller) ?? 0) >= max) {
      return {
        code: "too_many_tool_calls",
        reason:
          `"${caller}" already has ${max} tool calls in flight (maxConcurrentCalls); wait for an answer and call again`,
      };
    }
    return null;
  }

  #reply(envelope: Envelope, address: string, performative: Performative, content: unknown): void {
    if (this.#closed) return;
    const original = envelope.message;
    const reply: AclMessage = {
      performative,
      sender: address,
      receiver: [original.sender!],
      content,
    };
    if (original.conversationId !== undefined) reply.conversationId = original.conversationId;
    if (original.replyWith !== undefined) reply.inReplyTo = original.replyWith;
    if (original.protocol !== undefined) reply.protocol = original.protocol;
    this.#deps.router.route(reply, envelope);
  }
}

/** The call's arguments from the request's content (an object, or JSON text of one), or why not. */
function _arguments(content: unknown): Record<string, unknown> | string {
  let value = content ?? {};
  if (typeof value === "string") {
    try {
      value = value.trim() === "" ? {} : JSON.parse(value);
    } catch (error) {
      return `the content is not JSON (${
        (error as Error).message
      }); send the tool's arguments as a JSON object`;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `the content is ${JSON.stringify(value)}; send the tool's arguments as a JSON object`;
  }
  return value as Record<string, unknown>;
}

/** The text parts of a result, joined. */
function _text(result: ToolResult): string {
  return result.content
    .map((part) =>
      typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text"
        ? String((part as { text?: unknown }).text ?? "")
        : ""
    )
    .filter((t) => t !== "")
    .join("\n");
}
