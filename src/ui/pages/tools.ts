/** MCP tools: the configured servers, their tools, calls and errors. */
import { html } from "../html.ts";
import { useApi } from "../hooks.ts";
import { type Column, Table } from "../table.ts";
import type { ToolCounters } from "../types.ts";

interface _Tool {
  address: string;
  description?: string;
  counters: ToolCounters;
}

interface _Server {
  name: string;
  transport: string;
  status: string;
  restarts: number;
  lastError: string | null;
  tools: number;
}

const _SERVER_COLUMNS: Column<_Server>[] = [
  { label: "Server", cell: (s) => s.name },
  { label: "Transport", cell: (s) => s.transport },
  {
    label: "Status",
    cell: (s) => html`<span class=${`state state-${s.status}`}>${s.status}</span>`,
  },
  { label: "Tools", num: true, cell: (s) => s.tools },
  { label: "Restarts", num: true, cell: (s) => s.restarts },
  { label: "Last error", cell: (s) => html`<span class="reason">${s.lastError ?? ""}</span>` },
];

const _TOOL_COLUMNS: Column<_Tool>[] = [
  {
    label: "Address",
    cell: (t) => html`<code>${t.address}</code><div class="muted">${t.description ?? ""}</div>`,
  },
  { label: "Calls", num: true, cell: (t) => t.counters.calls },
  { label: "OK", num: true, cell: (t) => t.counters.ok },
  { label: "Errors", num: true, cell: (t) => t.counters.errors + t.counters.failed },
  { label: "Timeouts", num: true, cell: (t) => t.counters.timeouts },
  { label: "Refused", num: true, cell: (t) => t.counters.refused },
  {
    label: "Mean ms",
    num: true,
    cell: (t) => t.counters.ok > 0 ? (t.counters.totalMs / t.counters.ok).toFixed(1) : "–",
  },
];

export function Tools() {
  const tools = useApi<{ items: _Tool[]; servers: _Server[]; inFlight: number }>("/tools", 3000);
  const t = tools.value;
  return html`<section aria-labelledby="tools-title">
    <h1 id="tools-title">MCP tools</h1>
    ${tools.error && html`<p role="alert" class="error">${tools.error.message}</p>`}
    ${
    t &&
    html`<p>${t.servers.length} servers, ${t.items.length} tools, ${t.inFlight} calls in flight.</p>`
  }
    <h2>Servers</h2>
    ${
    (t?.servers.length ?? 0) === 0
      ? html`<p class="muted">No MCP server configured (see docs/MCP.md).</p>`
      : html`<${Table} caption="MCP servers" columns=${_SERVER_COLUMNS} rows=${t!.servers} />`
  }
    <h2>Tools</h2>
    ${
    (t?.items.length ?? 0) > 0 &&
    html`<${Table} caption="Tools and their calls" columns=${_TOOL_COLUMNS} rows=${t!.items} />`
  }
  </section>`;
}
