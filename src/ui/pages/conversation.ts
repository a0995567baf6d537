/**
 * The conversation debugger: a sequence diagram (a lifeline per participant,
 * an arrow per delivery, failures and timeouts marked), a timing waterfall,
 * the protocol checker's verdict and each message in both encodings.
 */
import { html } from "../html.ts";
import { useApi } from "../hooks.ts";
import type { Delivery } from "../types.ts";

interface _Conversation {
  id: string;
  participants: string[];
  messages: Delivery[];
}

interface _TraceNode {
  id: number;
  receiver: string;
  message: Delivery["message"];
  status: string;
  offsetMs: number;
  tookMs: number;
  children: _TraceNode[];
}

interface _Check {
  ok: boolean;
  protocol: string | null;
  state: string;
  messages: { deliveries: number[]; fipa: string }[];
  violations: { index: number; reason: string }[];
}

const _LANE = 150;
const _ROW = 44;
const _TOP = 56;

/** A delivery that failed, and whether its reason says it ran out of time. */
function _trouble(d: Delivery): "failed" | "timeout" | null {
  const timedOut = /time ?out|timed out|deadline|reply-by/i.test(d.reason ?? "");
  if (d.status === "failed" || d.status === "dead" || d.message.performative === "failure") {
    return timedOut ? "timeout" : "failed";
  }
  return null;
}

export function Conversation({ id }: { id: string }) {
  const path = `/conversations/${encodeURIComponent(id)}`;
  const conv = useApi<_Conversation>(path, 3000);
  const trace = useApi<{ durationMs: number; traceIds: string[]; roots: _TraceNode[] }>(
    `${path}/trace`,
    3000,
  );
  const check = useApi<_Check>(`${path}/check`, 3000);
  if (conv.error) {
    return html`
      <section>
        <h1>Conversation ${id}</h1>
        <p role="alert" class="error">${conv.error.message}</p>
      </section>
    `;
  }
  if (!conv.value) {
    return html`
      <section>
        <h1>Conversation ${id}</h1>
        <p>Loading…</p>
      </section>
    `;
  }
  const { participants, messages } = conv.value;
  const violated = new Map<number, string>();
  for (const v of check.value?.violations ?? []) {
    for (const d of check.value?.messages[v.index]?.deliveries ?? []) violated.set(d, v.reason);
  }
  return html`<section aria-labelledby="conv-title">
    <h1 id="conv-title">Conversation <code>${id}</code></h1>
    <p>${messages.length} deliveries between ${participants.length} participants.</p>
    <${Verdict} check=${check.value} />
    <h2>Sequence</h2>
    <${Sequence} participants=${participants} messages=${messages} violated=${violated} />
    <h2>Timing</h2>
    ${trace.value && html`<${Waterfall} trace=${trace.value} />`}
    ${
    (trace.value?.traceIds.length ?? 0) > 0 &&
    html`<p>Traced (tracing on): ${
      trace.value!.traceIds.map((t) =>
        html`
          <code>${t}</code>
        `
      )
    } — the spans are in your OpenTelemetry backend under these trace ids.</p>`
  }
    <h2>Messages</h2>
    <ol class="acl">
      ${
    (check.value?.messages ?? []).map((m) => {
      const first = messages.find((d) => d.id === m.deliveries[0]);
      return html`
        <li class=${violated.has(m.deliveries[0]!) ? "violation" : ""}>
          <details>
            <summary>${`${first?.message.performative} from ${first?.message.sender ?? "?"} to ${
              first?.message.receiver.join(", ")
            }`}</summary>
            <h3>JSON</h3>
            <pre>${JSON.stringify(first?.message, null, 2)}</pre>
            <h3>FIPA string</h3>
            <pre>${m.fipa}</pre>
          </details>
        </li>
      `;
    })
  }
    </ol>
  </section>`;
}

function Verdict({ check }: { check?: _Check }) {
  if (!check) return null;
  if (check.protocol === null) {
    return html`<p class="verdict muted">No protocol named: the checker had nothing to check.</p>`;
  }
  return html`<div class=${`verdict ${check.ok ? "ok" : "error"}`} role="status">
    <strong>${check.protocol}</strong>${`: ${
    check.ok ? "follows the protocol" : "breaks the protocol"
  }, ${check.state}.`}
    ${
    check.violations.length > 0 && html`<ul>${
      check.violations.map((v) => html`<li>message ${v.index + 1}: ${v.reason}</li>`)
    }</ul>`
  }
  </div>`;
}

function Sequence(
  { participants, messages, violated }: {
    participants: string[];
    messages: Delivery[];
    violated: Map<number, string>;
  },
) {
  const lanes = new Map(participants.map((p, i) => [p, i]));
  for (const d of messages) {
    for (const p of [d.message.sender ?? "?", d.receiver]) {
      if (!lanes.has(p)) lanes.set(p, lanes.size);
    }
  }
  const width = Math.max(lanes.size * _LANE, 300);
  const height = _TOP + messages.length * _ROW + 20;
  const x = (p: string) => (lanes.get(p) ?? 0) * _LANE + _LANE / 2;
  return html`
    <div class="scroll" tabindex="0" role="region" aria-label="Sequence diagram">
      <svg class="sequence" width=${width} height=${height}
        viewBox=${`0 0 ${width} ${height}`} role="group" aria-label="Sequence diagram">
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
          orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke" /></marker></defs>
        ${[...lanes.keys()].map((p) =>
          html`
            <g class="lifeline" data-participant=${p}>
              <text x=${x(p)} y="20" text-anchor="middle">${p}</text>
              <line x1=${x(p)} y1="30" x2=${x(p)} y2=${height - 10} />
            </g>
          `
        )}
        ${messages.map((d, i) => {
          const from = x(d.message.sender ?? "?"), to = x(d.receiver);
          const y = _TOP + i * _ROW;
          const trouble = _trouble(d);
          const self = from === to;
          const label =
            `${d.message.performative} from ${d.message.sender} to ${d.receiver}: ${d.status}` +
            (d.reason ? ` (${d.reason})` : "") +
            (violated.has(d.id) ? `; violation: ${violated.get(d.id)}` : "");
          return html`
            <g class=${`hop ${trouble ?? ""} ${violated.has(d.id) ? "violation" : ""}`}
              data-delivery=${d.id} role="img" aria-label=${label}>
                    <title>${label}</title>
                    ${self
                      ? html`<path d=${`M${from},${y} h40 v16 h-38`} fill="none" marker-end="url(#arrow)" />`
                      : html`<line x1=${from} y1=${y} x2=${to} y2=${y} marker-end="url(#arrow)" />`}
                    <text x=${(from + to) / 2 + (self ? 46 : 0)} y=${y - 6} text-anchor="middle">
                      ${d.message.performative}${trouble ? ` ✕ ${trouble}` : ""}</text>
                  </g>
          `;
        })}
      </svg>
    </div>
  `;
}

function Waterfall({ trace }: { trace: { durationMs: number; roots: _TraceNode[] } }) {
  const rows: { node: _TraceNode; depth: number }[] = [];
  const walk = (n: _TraceNode, depth: number) => {
    rows.push({ node: n, depth });
    n.children.forEach((c) => walk(c, depth + 1));
  };
  trace.roots.forEach((r) => walk(r, 0));
  const total = Math.max(trace.durationMs, 1);
  return html`
    <table class="waterfall">
      <caption class="sr-only">Deliveries over time: accepted at offset, handled after</caption>
      <thead>
        <tr>
          <th scope="col">Delivery</th>
          <th scope="col">Offset</th>
          <th scope="col">Took</th>
          <th scope="col" class="bar-col">Timeline (${trace.durationMs} ms)</th>
        </tr>
      </thead>
      <tbody>${rows.map(({ node, depth }) =>
        html`
          <tr data-delivery=${node.id} data-depth=${depth}>
            <td style=${`padding-left:${depth}em`}>${node.message.performative} → ${node
              .receiver}</td>
            <td class="num">${node.offsetMs} ms</td>
            <td class="num">${node.tookMs} ms</td>
            <td class="bar-col">
              <div class=${`bar ${node.status}`} style=${`margin-left:${
                (node.offsetMs / total) * 100
              }%;width:${Math.max((node.tookMs / total) * 100, 0.5)}%`}></div>
            </td>
          </tr>
        `
      )}</tbody>
    </table>
  `;
}
