/** `caxton tool list` (MCP tools of a running node) and `caxton mcp` (Caxton as an MCP server on stdio). */
import { startNode } from "../../../main.ts";
import { emit, paint, table } from "../output.ts";
import type { Command } from "../command_types.ts";
import { NODE_OPTIONS, nodeConfig } from "./node.ts";

interface _Listing {
  items: {
    address: string;
    counters: { calls: number; ok: number; errors: number; timeouts: number; refused: number };
  }[];
  servers: { name: string; status: string; restarts: number; lastError: string | null }[];
}

export const MCP_COMMANDS: Command[] = [
  {
    noun: "tool",
    verb: "list",
    usage: "",
    summary: "MCP tools agents may call (tool:<server>/<tool>), with call counters",
    async run(ctx) {
      const listing = await ctx.client().json<_Listing>("/api/v1/tools");
      const o = ctx.output;
      emit(o, listing, () => {
        const rows = listing.items.map((t) => {
          const c = t.counters;
          return [t.address, c.calls, c.ok, c.errors, c.timeouts, c.refused].map(String);
        });
        const lines = [table(o, ["TOOL", "CALLS", "OK", "ERRORS", "TIMEOUTS", "REFUSED"], rows)];
        for (const s of listing.servers) {
          const status = paint(o, s.status === "connected" ? "green" : "yellow", s.status);
          const error = s.lastError ? ` (${s.lastError})` : "";
          lines.push(`server ${s.name}: ${status}, ${s.restarts} restart(s)${error}`);
        }
        if (listing.servers.length === 0) lines.push("no MCP servers configured (docs/MCP.md)");
        return lines.join("\n");
      });
    },
  },
  {
    noun: "mcp",
    usage: "[--data-dir DIR] [--config FILE]",
    summary: "run a node that serves MCP on stdin/stdout (no HTTP; logs on stderr)",
    options: NODE_OPTIONS,
    async run(ctx) {
      // stdout carries MCP; `caxton serve` owns the port, so no HTTP here.
      const node = await startNode(nodeConfig(ctx), { serve: false });
      await node.mcp.serveStdio();
      await node.close();
    },
  },
];
