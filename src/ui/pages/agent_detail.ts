/** One agent: what it is, its state (key/value), lifecycle, events, logs, capabilities, tools. */
import { html } from "../html.ts";
import { useApi } from "../hooks.ts";
import { type Column, Table } from "../table.ts";
import type { Agent } from "../types.ts";

interface _History {
  transitions: {
    id: number;
    from: string;
    to: string;
    version: number;
    reason: string | null;
    at: string;
  }[];
  events: { id: number; kind: string; detail: string; at: string }[];
}

interface _Entry {
  key: string;
  value: string;
  encoding: string;
  bytes: number;
}

const _STATE_COLUMNS: Column<_Entry>[] = [
  { label: "Key", cell: (e) => html`<code>${e.key}</code>` },
  { label: "Value", cell: (e) => html`<code class="value">${e.value}</code>` },
  { label: "Encoding", cell: (e) => e.encoding },
  { label: "Bytes", num: true, cell: (e) => e.bytes },
];

export function AgentDetail({ name }: { name: string }) {
  const path = `/agents/${encodeURIComponent(name)}`;
  const agent = useApi<Agent>(path, 2000);
  const history = useApi<_History>(`${path}/history`, 3000);
  const state = useApi<
    { items: { key: string; value: string; encoding: string; bytes: number }[] }
  >(
    `${path}/state?limit=1000`,
    3000,
  );
  const logs = useApi<{ items: { seq: number; at: string; level: string; text: string }[] }>(
    `${path}/logs`,
    2000,
  );
  if (agent.error) {
    return html`
      <section>
        <h1>Agent ${name}</h1>
        <p role="alert" class="error">${agent.error.message}</p>
      </section>
    `;
  }
  const a = agent.value;
  return html`<section aria-labelledby="agent-title">
    <h1 id="agent-title">Agent <code>${name}</code></h1>
    ${
    a && html`<dl class="facts">
      <dt>State</dt><dd><span class=${`state state-${a.state}`}>${a.state}</span></dd>
      ${
      a.failure && html`
        <dt>Failure</dt>
        <dd class="reason">${a.failure}</dd>
      `
    }
      <dt>Version</dt><dd>${a.version}</dd>
      <dt>Isolation</dt><dd>${a.isolation}</dd>
      <dt>Mailbox</dt><dd>${a.mailboxDepth}</dd>
      ${
      Object.entries(a.counters).map(([k, v]) =>
        html`
          <dt>${k}</dt>
          <dd>${v}</dd>
        `
      )
    }
      <dt>Capabilities</dt><dd>${a.capabilities.join(", ") || "none"}</dd>
      <dt>Granted tools</dt><dd>${a.tools.join(", ") || "none"}</dd>
      <dt>Limits</dt><dd>${Object.entries(a.limits).map(([k, v]) => `${k} ${v}`).join(", ")}</dd>
    </dl>`
  }
    <p><a href=${`#/messages?agent=${encodeURIComponent(name)}`}>Tail this agent's messages</a></p>
    <h2>State</h2>
    ${
    (state.value?.items.length ?? 0) === 0
      ? html`<p class="muted">No stored state.</p>`
      : html`<${Table} caption="Stored state" columns=${_STATE_COLUMNS} rows=${
        state.value!.items
      } />`
  }
    <h2>Lifecycle</h2>
    <ol class="timeline">${
    (history.value?.transitions ?? []).map((t) =>
      html`<li><time>${t.at}</time> ${t.from} → <strong>${t.to}</strong> (v${t.version})
        ${t.reason && html`<span class="muted">${` — ${t.reason}`}</span>`}</li>`
    )
  }</ol>
    <h2>Events</h2>
    ${
    (history.value?.events.length ?? 0) === 0
      ? html`<p class="muted">No runtime event.</p>`
      : html`<ol class="timeline">${
        history.value!.events.map((e) =>
          html`<li><time>${e.at}</time> <strong>${e.kind}</strong> ${e.detail}</li>`
        )
      }</ol>`
  }
    <h2>Logs</h2>
    ${
    (logs.value?.items.length ?? 0) === 0
      ? html`<p class="muted">Nothing logged lately.</p>`
      : html`<pre class="logs">${
        logs.value!.items.map((l) => `${l.at} ${l.level.padEnd(5)} ${l.text}\n`)
      }</pre>`
  }
  </section>`;
}
