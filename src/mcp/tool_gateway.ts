/**
 * Agents' calls to MCP tools. Every tool a configured server lists is reachable
 * at `tool:<server>/<tool>`: an agent sends it a `request` with JSON arguments
 * as content and gets `inform` (the result) or `failure` (the error) back,
 * threaded like any reply. Calls are checked against the agent's allowlist
 * (default deny) and its concurrency limit (`refuse` with the reason), bounded
 * by a timeout, logged, counted, and reported to an `onCall` hook (where a
 * span will be made once telemetry has a tracer). A tool that errors, hangs or
 * crashes costs one `failure`; a crashed server is started again.
 *
 * This file attaches each server's tools to the router and runs a call
 * through its steps, each in its own file: the check (tool_policy.ts), the
 * call with its timeout (tool_call.ts), the answer (tool_reply.ts) and what
 * is kept of it (tool_call_record.ts).
 */
import type { BreakerBoard } from "../resilience/mod.ts";
import type { AclMessage, Performative } from "../acl/mod.ts";
import type { Endpoint, Envelope, Router } from "../router/mod.ts";
import { type Logger, SILENT_LOGGER } from "../telemetry/mod.ts";
import type { McpConfig } from "../config/mod.ts";
import { callTool, toolArguments } from "./tool_call.ts";
import {
  newToolCounters,
  recordToolCall,
  type ToolCallOutcome,
  type ToolCallRecord,
  type ToolCounters,
} from "./tool_call_record.ts";
import { InFlightCalls, type ToolPolicy, toolRefusal } from "./tool_policy.ts";
import { toolReply } from "./tool_reply.ts";
import { type ToolInfo, ToolServer, type ToolServerStatus } from "./tool_server.ts";

export type { ToolCallOutcome, ToolCallRecord, ToolCounters } from "./tool_call_record.ts";

/** The address prefix of tools. */
export const TOOL_PREFIX = "tool:";

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
  toolPolicy: (name: string) => ToolPolicy | undefined;
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
  /** Circuit breakers, one per server (`mcp:<name>`, issue 17); absent: none. */
  breakers?: BreakerBoard;
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
  readonly #inFlight = new InFlightCalls();
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
          ...(deps.breakers ? { breaker: deps.breakers.breaker(`mcp:${name}`) } : {}),
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
    return this.#inFlight.total;
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
        counters: newToolCounters(),
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
      const record: ToolCallRecord = {
        server: server.name,
        tool: tool.info.name,
        caller,
        outcome,
        durationMs,
      };
      if (detail !== undefined) record.detail = detail;
      if (message.conversationId !== undefined) record.conversationId = message.conversationId;
      recordToolCall(record, tool.counters, this.#log, this.#deps.onCall);
    };

    const policy = caller.startsWith("ext:") ? undefined : this.#deps.toolPolicy(caller);
    const refusal = toolRefusal({
      caller,
      policy,
      server: server.name,
      tool: tool.info.name,
      maxConcurrentCalls: this.#deps.config.maxConcurrentCalls,
      inFlight: this.#inFlight,
    });
    if (refusal) {
      this.#reply(envelope, address, "refuse", refusal);
      finish("refused", refusal.reason);
      return;
    }
    const args = toolArguments(message.content);
    if (typeof args === "string") {
      this.#reply(envelope, address, "not-understood", { code: "invalid_arguments", reason: args });
      finish("refused", args);
      return;
    }
    const timeoutMs = policy?.limits.callTimeoutMs ?? this.#deps.config.callTimeoutMs;
    const done = this.#inFlight.begin(caller);
    try {
      const answer = await callTool(server, tool.info.name, args, timeoutMs);
      this.#reply(envelope, address, answer.performative, answer.content);
      finish(answer.outcome, answer.detail);
    } finally {
      done();
    }
  }

  #reply(envelope: Envelope, address: string, performative: Performative, content: unknown): void {
    if (this.#closed) return;
    this.#deps.router.route(toolReply(envelope.message, address, performative, content), envelope);
  }
}
