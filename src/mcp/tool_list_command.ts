/** `caxton tool list`: the tools of a running node's MCP servers, from `GET /api/v1/tools`. */

interface _Listing {
  items: {
    address: string;
    server: string;
    description?: string;
    counters: { calls: number; ok: number; errors: number; timeouts: number; refused: number };
  }[];
  servers: { name: string; status: string; restarts: number; lastError: string | null }[];
}

/** Raised when the server cannot be asked. */
export class ToolListError extends Error {
  readonly code = "tool_list_failed";
  constructor(message: string) {
    super(message);
    this.name = "ToolListError";
  }
}

/** Returns the text to print: a table for people, or the JSON document with `json`. */
export async function toolListCommand(
  baseUrl: string,
  options: { json?: boolean } = {},
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(new URL("/api/v1/tools", baseUrl));
  } catch (error) {
    throw new ToolListError(
      `Cannot list tools: no Caxton answers at ${baseUrl} (${
        (error as Error).message
      }); start one with \`caxton serve\` or pass --url`,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ToolListError(`Cannot list tools: ${baseUrl} answered ${response.status}: ${text}`);
  }
  if (options.json) return text;
  const listing = JSON.parse(text) as _Listing;
  const rows = [["TOOL", "CALLS", "OK", "ERRORS", "TIMEOUTS", "REFUSED"]];
  for (const t of listing.items) {
    const c = t.counters;
    rows.push([t.address, c.calls, c.ok, c.errors, c.timeouts, c.refused].map(String));
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
  for (const s of listing.servers) {
    const error = s.lastError ? ` (${s.lastError})` : "";
    lines.push(`server ${s.name}: ${s.status}, ${s.restarts} restart(s)${error}`);
  }
  if (listing.servers.length === 0) lines.push("no MCP servers configured (see docs/MCP.md)");
  return lines.join("\n");
}
