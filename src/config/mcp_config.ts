/**
 * The `mcp` section of Caxton's configuration: which MCP servers to connect
 * to (stdio child processes or Streamable HTTP endpoints), and the limits on
 * agents' calls to their tools.
 */

/** An MCP server Caxton starts as a child process and talks to over stdio. */
export interface StdioServerConfig {
  command: string;
  args?: string[];
  /** Added to a minimal default environment (PATH, HOME…), not to Caxton's own. */
  env?: Record<string, string>;
  cwd?: string;
}

/** An MCP server Caxton reaches over Streamable HTTP. */
export interface HttpServerConfig {
  url: string;
  headers?: Record<string, string>;
}

/** One configured MCP server. */
export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** Tools for agents: servers by name, and limits per call and per agent. */
export interface McpConfig {
  /** Servers by name; their tools are reached at `tool:<name>/<tool>`. */
  servers: Record<string, McpServerConfig>;
  /** A call not answered within this many ms gets `failure` (code `tool_timeout`). */
  callTimeoutMs: number;
  /** Calls one agent may have in flight; more get `refuse` (code `too_many_tool_calls`). */
  maxConcurrentCalls: number;
}

/** Defaults: no servers, 30 s per call, 8 calls in flight per agent. */
export function defaultMcpConfig(): McpConfig {
  return { servers: {}, callTimeoutMs: 30_000, maxConcurrentCalls: 8 };
}

const _SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function _record(value: unknown, what: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object of strings`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new TypeError(`${what}.${k} must be a string`);
  }
  return { ...(value as Record<string, string>) };
}

function _server(name: string, value: unknown): McpServerConfig {
  const where = `mcp.servers.${name}`;
  if (!_SERVER_NAME.test(name)) {
    throw new TypeError(
      `${where}: server names are 1-64 characters of A-Z, a-z, 0-9, ".", "_", "-"`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be an object with "command" (stdio) or "url" (HTTP)`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.url === "string") {
    try {
      new URL(v.url);
    } catch {
      throw new TypeError(`${where}.url ${JSON.stringify(v.url)} is not a URL`);
    }
    const server: HttpServerConfig = { url: v.url };
    if (v.headers !== undefined) server.headers = _record(v.headers, `${where}.headers`);
    return server;
  }
  if (typeof v.command !== "string" || v.command === "") {
    throw new TypeError(
      `${where} needs "command" (a stdio server to start) or "url" (a Streamable HTTP server)`,
    );
  }
  const server: StdioServerConfig = { command: v.command };
  if (v.args !== undefined) {
    if (!Array.isArray(v.args) || v.args.some((a) => typeof a !== "string")) {
      throw new TypeError(`${where}.args must be an array of strings`);
    }
    server.args = [...v.args];
  }
  if (v.env !== undefined) server.env = _record(v.env, `${where}.env`);
  if (v.cwd !== undefined) {
    if (typeof v.cwd !== "string") throw new TypeError(`${where}.cwd must be a string`);
    server.cwd = v.cwd;
  }
  return server;
}

function _positive(value: unknown, what: string, max: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > max) {
    throw new TypeError(`${what} must be an integer from 1 to ${max}`);
  }
  return n;
}

/**
 * Parses an `mcp` section over `base`. Throws TypeError naming the setting;
 * the config loader adds where it came from.
 */
export function parseMcpConfig(value: unknown, base: McpConfig = defaultMcpConfig()): McpConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `mcp must be an object with "servers", "callTimeoutMs", "maxConcurrentCalls"`,
    );
  }
  const out: McpConfig = { ...base, servers: { ...base.servers } };
  for (const [key, v] of Object.entries(value)) {
    if (key === "servers") {
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw new TypeError(`mcp.servers must be an object of servers by name`);
      }
      for (const [name, server] of Object.entries(v)) out.servers[name] = _server(name, server);
    } else if (key === "callTimeoutMs") {
      out.callTimeoutMs = _positive(v, "mcp.callTimeoutMs", 3_600_000);
    } else if (key === "maxConcurrentCalls") {
      out.maxConcurrentCalls = _positive(v, "mcp.maxConcurrentCalls", 10_000);
    } else {
      throw new TypeError(
        `mcp.${key} is unknown; known settings are servers, callTimeoutMs, maxConcurrentCalls`,
      );
    }
  }
  return out;
}
