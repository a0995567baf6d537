/**
 * Messages: a live tail of deliveries (the API's SSE stream) with filters,
 * pausable; a message's conversation opens in the debugger. At thousands of
 * messages a second the page stays responsive: a worker reads the stream
 * (tail_worker.ts) and the page draws the newest rows at most four times a
 * second (more is unreadable anyway).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { apiKey } from "../api.ts";
import type { TailFromWorker, TailStart } from "../tail_protocol.ts";
import { html } from "../html.ts";
import type { AclMessage } from "../types.ts";
import { SendForm } from "./send.ts";

/** Rows on screen. */
const _ROWS = 200;
/** Time between redraws of the table, ms. */
const _REDRAW_MS = 250;

interface _Tailed {
  seq: number;
  acceptedAt: string;
  receiver: string;
  message: AclMessage;
}

const _FILTERS = [
  ["agent", "Agent"],
  ["performative", "Performative"],
  ["conversation", "Conversation"],
  ["protocol", "Protocol"],
] as const;

export function Messages({ query }: { query: URLSearchParams }) {
  const [filters, setFilters] = useState<Record<string, string>>(
    Object.fromEntries(_FILTERS.map(([key]) => [key, query.get(key) ?? ""])),
  );
  // What is typed, kept apart from the applied filters: the tail redraws the page
  // four times a second, and a field bound to the applied value would be reset.
  const [draft, setDraft] = useState(filters);
  const [rows, setRows] = useState<_Tailed[]>([]);
  const [paused, setPaused] = useState(false);
  const [seen, setSeen] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ""));
    setRows([]);
    setError(null);
    setOpen(false);
    const worker = new Worker("/ui/tail_worker.js", { type: "module" });
    // A batch the old worker posted before terminate() can still arrive: drop it, or
    // rows of the old filters would land under the new ones.
    let current = true;
    worker.onmessage = ({ data: said }: MessageEvent<TailFromWorker>) => {
      if (!current) return;
      if (said.kind === "open") setOpen(true);
      else if (said.kind === "error") setError(said.message);
      else {
        setSeen(said.count);
        if (pausedRef.current) return;
        const first = said.count - said.rows.length + 1;
        const fresh = said.rows
          .map((data, i) => ({ ...JSON.parse(data) as Omit<_Tailed, "seq">, seq: first + i }))
          .reverse();
        setRows((old) => [...fresh, ...old].slice(0, _ROWS));
      }
    };
    worker.onerror = (e) => setError(e.message);
    const start: TailStart = {
      path: `/messages/tail?${params}`,
      key: apiKey(),
      rows: _ROWS,
      everyMs: _REDRAW_MS,
    };
    worker.postMessage(start);
    return () => {
      current = false;
      worker.terminate();
    };
  }, [JSON.stringify(filters)]);
  const apply = (e: Event) => {
    e.preventDefault();
    setFilters(Object.fromEntries(_FILTERS.map(([key]) => [key, draft[key]!.trim()])));
  };
  return html`<section aria-labelledby="messages-title">
    <h1 id="messages-title">Messages</h1>
    <${SendForm} />
    <form class="filters" onSubmit=${apply} aria-label="Tail filters">
      ${
    _FILTERS.map(([key, label]) =>
      html`<label>${label} filter <input name=${key} value=${draft[key]} onInput=${(e: Event) =>
        setDraft((d) => ({ ...d, [key]: (e.target as HTMLInputElement).value }))} /></label>`
    )
  }
      <button type="submit">Apply filters</button>
      <button type="button" aria-pressed=${paused} onClick=${() => setPaused(!paused)}>
        ${paused ? "Resume" : "Pause"}</button>
    </form>
    <p role="status" class="muted" data-tail=${open ? "open" : "connecting"}>
      ${
    paused ? "Paused. " : open ? "Live. " : "Connecting… "
  }${seen} messages since the tail opened; newest first, the last ${_ROWS} kept.
    </p>
    ${error && html`<p role="alert" class="error">Tail closed: ${error}</p>`}
    <div class="scroll" tabindex="0" role="region" aria-label="Message tail">
    <table class="tail">
      <caption class="sr-only">Live message tail, newest first</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Performative</th><th scope="col">From</th>
        <th scope="col">To</th><th scope="col">Conversation</th><th scope="col">Content</th></tr></thead>
      <tbody>
        ${
    rows.map((r) =>
      html`
        <tr key=${r.seq}>
          <td>${r.acceptedAt.slice(11, 23)}</td>
          <td><span class=${`perf perf-${r.message.performative}`}>${r.message
            .performative}</span></td>
          <td>${r.message.sender ?? ""}</td>
          <td>${r.receiver}</td>
          <td>${r.message.conversationId
            ? html`<a href=${`#/conversations/${
              encodeURIComponent(r.message.conversationId)
            }`}>${r.message.conversationId}</a>`
            : html`<span class="muted">none</span>`}</td>
          <td class="content">${_short(r.message.content)}</td>
        </tr>
      `
    )
  }
      </tbody>
    </table>
    </div>
  </section>`;
}

function _short(content: unknown): string {
  const text = typeof content === "string" ? content : JSON.stringify(content) ?? "";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
