/**
 * Real MCP servers for the MCP tests: the npm servers installed by
 * `deno install` (started with node from node_modules, never downloaded at
 * test time), a stdio server that crashes on demand, and a Streamable HTTP
 * server written with the SDK on a loopback port.
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import type { StdioServerConfig } from "../../src/mcp/mod.ts";

const ROOT = new URL("../../", import.meta.url);

function _npmServer(pkg: string): string {
  const path = fromFileUrl(
    new URL(`node_modules/@modelcontextprotocol/${pkg}/dist/index.js`, ROOT),
  );
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(`${path} is missing: run \`deno install\` (deno task test does) first`);
  }
  return path;
}

/** `@modelcontextprotocol/server-filesystem` confined to `dir`. */
export function filesystemServer(dir: string): StdioServerConfig {
  return { command: "node", args: [_npmServer("server-filesystem"), dir] };
}

/** `@modelcontextprotocol/server-everything` over stdio. */
export function everythingServer(): StdioServerConfig {
  return { command: "node", args: [_npmServer("server-everything"), "stdio"] };
}

/** tests/fixtures/mcp/crashy_server.ts run by this Deno. */
export function crashyServer(): StdioServerConfig {
  return {
    command: Deno.execPath(),
    args: ["run", "-A", fromFileUrl(new URL("tests/fixtures/mcp/crashy_server.ts", ROOT))],
    cwd: fromFileUrl(ROOT),
  };
}

/** A Streamable HTTP MCP server on loopback: `add`, `fail` (isError), `throw`, `hang`. */
export function startHttpToolServer(
  port = 0,
): { url: string; hangs: number } & AsyncDisposable {
  const hanging = new Set<() => void>();
  const state = { hangs: 0 };
  const build = () => {
    const server = new McpServer({ name: "test-http", version: "1.0.0" });
    server.registerTool("add", {
      description: "a + b",
      inputSchema: { a: z.number(), b: z.number() },
    }, ({ a, b }: { a: number; b: number }) => ({
      content: [{ type: "text", text: String(a + b) }],
      structuredContent: { sum: a + b },
    }));
    server.registerTool("fail", { description: "answers with isError" }, () => ({
      content: [{ type: "text", text: "the tool says no" }],
      isError: true,
    }));
    server.registerTool("throw", { description: "throws" }, () => {
      throw new Error("thrown inside the tool");
    });
    server.registerTool("hang", { description: "never answers until the server stops" }, () => {
      state.hangs++;
      return new Promise((resolve) =>
        hanging.add(() => resolve({ content: [{ type: "text", text: "released" }] }))
      );
    });
    return server;
  };
  // A cancelled call never gets its response, so its HTTP exchange stays open until closed here.
  const open = new Set<() => void>();
  const http = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await build().connect(transport);
    let close = () => {};
    const closed = new Promise<Response>((resolve) => {
      close = () => resolve(new Response(null, { status: 503 }));
    });
    open.add(close);
    try {
      return await Promise.race([transport.handleRequest(req), closed]);
    } finally {
      open.delete(close);
      await transport.close();
    }
  });
  return {
    url: `http://127.0.0.1:${http.addr.port}/mcp`,
    get hangs() {
      return state.hangs;
    },
    async [Symbol.asyncDispose]() {
      for (const release of hanging) release();
      for (const close of open) close();
      await http.shutdown();
    },
  };
}

/** A loopback port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Waits until `check` holds, polling every 20 ms, or fails after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
