/** Caxton's own MCP server over stdio (`caxton mcp`) in a child process, driven by the SDK's client. */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/** A connected client; disposing it closes the client and ends the child. */
export interface StdioMcp extends AsyncDisposable {
  client: Client;
  /** What the child wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts `caxton mcp --data-dir <dataDir>` (errors-only logs, one worker) and
 * connects a client; `beforeConnect` sets handlers that must be in place first
 * (notifications).
 */
export async function connectStdioMcp(
  dataDir: string,
  options: { beforeConnect?: (client: Client) => void } = {},
): Promise<StdioMcp> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--unstable-worker-options", "-A", CLI, "mcp", "--data-dir", dataDir],
    env: { CAXTON_LOG_LEVEL: "error", CAXTON_WORKERS: "1" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
  const client = new Client({ name: "test-llm", version: "1.0.0" });
  options.beforeConnect?.(client);
  await client.connect(transport);
  return { client, stderr: () => stderr, [Symbol.asyncDispose]: () => client.close() };
}
