/** Overview: nodes, agents by state, and live charts of rates and delivery p99. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { Chart } from "../chart.ts";
import { html } from "../html.ts";
import { useApi } from "../hooks.ts";
import { type Column, Table } from "../table.ts";
import type { Histogram, Stats } from "../types.ts";

const _POINTS = 120;

interface _Series {
  times: number[];
  rate: (number | null)[];
  p99: (number | null)[];
  failures: (number | null)[];
  traps: (number | null)[];
}

/** The 99th percentile (ms) of what the histogram gained between two snapshots. */
export function p99Between(before: Histogram, after: Histogram): number | null {
  const counts = after.counts.map((c, i) => c - (before.counts[i] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= total * 0.99) {
      const bound = after.buckets[i] ?? after.buckets.at(-1) ?? 0;
      return bound * 1000;
    }
  }
  return null;
}

export function Overview() {
  const [series, setSeries] = useState<_Series>({
    times: [],
    rate: [],
    p99: [],
    failures: [],
    traps: [],
  });
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let last: Stats | null = null;
    const poll = () =>
      api<Stats>("/stats").then((now) => {
        setError(null);
        setStats(now);
        if (last) {
          const before = last;
          const dt = (Date.parse(now.at) - Date.parse(before.at)) / 1000 || 1;
          const push = (list: (number | null)[], v: number | null) => [...list, v].slice(-_POINTS);
          setSeries((s) => ({
            times: [...s.times, Date.parse(now.at) / 1000].slice(-_POINTS),
            rate: push(s.rate, (now.messages.deliveries - before.messages.deliveries) / dt),
            // The histogram when tracing times deliveries; else the log's recent sample.
            p99: push(
              s.p99,
              p99Between(before.deliveryLatency, now.deliveryLatency) ?? now.recentLatency.p99Ms,
            ),
            failures: push(s.failures, (now.messages.failed - before.messages.failed) / dt),
            traps: push(s.traps, (now.traps - before.traps) / dt),
          }));
        }
        last = now;
      }, setError);
    poll();
    const timer = setInterval(poll, 1000);
    return () => clearInterval(timer);
  }, []);
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview</h1>
    ${error && html`<p role="alert" class="error">${error.message}</p>`}
    <${Nodes} />
    <h2>Agents by state</h2>
    <ul class="states" aria-label="Agents by state">
      ${
    Object.entries(stats?.agents ?? {}).map(([state, n]) =>
      html`<li class=${`state state-${state}`}><span class="count">${n}</span> ${state}</li>`
    )
  }
    </ul>
    <p class="totals">
      ${
    stats &&
    `${stats.messages.deliveries} deliveries, ${stats.messages.handled} handled, ` +
      `${stats.messages.failed} failed, ${stats.traps} traps, ` +
      `${stats.messages.deadLetters} dead letters since the node started`
  }
    </p>
    <div class="charts">
      <${Chart} title="Messages per second" unit="msg/s" times=${series.times}
        series=${[{ label: "deliveries", values: series.rate, color: "#1f5fbf" }]} />
      <${Chart} title="Delivery p99" unit="ms" times=${series.times}
        series=${[{ label: "p99", values: series.p99, color: "#7a3e9d" }]} />
      <${Chart} title="Failures and traps per second" unit="/s" times=${series.times}
        series=${[
    { label: "failed", values: series.failures, color: "#b3261e" },
    { label: "traps", values: series.traps, color: "#8a5a00" },
  ]} />
    </div>
  </section>`;
}

interface _Node {
  id: string;
  name: string;
  api: string | null;
  state: string;
  agents: number;
  load: number;
  lastHeartbeat: string;
}

const _NODE_COLUMNS: Column<_Node>[] = [
  { label: "Name", cell: (n) => n.name },
  { label: "State", cell: (n) => html`<span class=${`state state-${n.state}`}>${n.state}</span>` },
  { label: "Agents", num: true, cell: (n) => n.agents },
  { label: "Load", num: true, cell: (n) => n.load },
  { label: "API", cell: (n) => n.api ?? "–" },
  { label: "Last heartbeat", cell: (n) => n.lastHeartbeat },
];

function Nodes() {
  const cluster = useApi<{ nodes: _Node[] }>("/cluster", 5000);
  if (cluster.error) {
    return html`<p class="muted">Standalone node (not clustered).</p>`;
  }
  return html`
    <h2>Nodes</h2>
    <${Table} caption="Cluster nodes" columns=${_NODE_COLUMNS} rows=${cluster.value?.nodes ?? []} />
  `;
}
