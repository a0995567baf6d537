/** Agents: a table to filter and sort, lifecycle actions, and deploy by dropping a module. */
import { useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { html } from "../html.ts";
import { useApi } from "../hooks.ts";
import type { Agent } from "../types.ts";
import { DeployForm } from "./deploy.ts";

type _Column = {
  key: string;
  label: string;
  value: (a: Agent) => string | number;
  /** Words, not figures: left-aligned. */
  text?: boolean;
};

const _language = (a: Agent) => a.language;

const _COLUMNS: _Column[] = [
  { key: "name", label: "Name", value: (a) => a.name },
  { key: "state", label: "State", value: (a) => a.state },
  { key: "version", label: "Version", value: (a) => a.version },
  { key: "language", label: "Language", value: _language, text: true },
  { key: "isolation", label: "Isolation", value: (a) => a.isolation, text: true },
  { key: "mailbox", label: "Mailbox", value: (a) => a.mailboxDepth },
  { key: "handled", label: "Handled", value: (a) => a.counters.handled },
  { key: "failed", label: "Failed", value: (a) => a.counters.failed },
  { key: "traps", label: "Traps", value: (a) => a.counters.traps },
  { key: "sent", label: "Sent", value: (a) => a.counters.sent },
  { key: "fuel", label: "Fuel used", value: (a) => a.counters.fuelUsed },
];

export function Agents() {
  const agents = useApi<{ items: Agent[] }>("/agents?limit=1000", 2000);
  const [filter, setFilter] = useState("");
  const [state, setState] = useState("");
  const [language, setLanguage] = useState("");
  const [sort, setSort] = useState({ key: "name", up: true });
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const column = _COLUMNS.find((c) => c.key === sort.key)!;
  const rows = (agents.value?.items ?? [])
    .filter((a) =>
      a.name.includes(filter) && (state === "" || a.state === state) &&
      (language === "" || _language(a) === language)
    )
    .sort((a, b) => {
      const x = column.value(a), y = column.value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (sort.up ? 1 : -1);
    });
  const languages = [...new Set((agents.value?.items ?? []).map(_language))].sort();
  const act = async (agent: string, verb: "start" | "stop" | "reload" | "remove") => {
    try {
      const path = `/agents/${encodeURIComponent(agent)}`;
      await api(verb === "remove" ? path : `${path}/${verb}`, {
        method: verb === "remove" ? "DELETE" : "POST",
      });
      setNotice({ text: `${verb}: ${agent} done`, error: false });
    } catch (error) {
      setNotice({ text: `${verb} ${agent}: ${(error as Error).message}`, error: true });
    }
    agents.reload();
  };
  return html`<section aria-labelledby="agents-title">
    <h1 id="agents-title">Agents</h1>
    <${DeployForm} onDeployed=${(text: string, error: boolean) => {
    setNotice({ text, error });
    agents.reload();
  }} />
    <div role="status" aria-live="polite" class=${
    notice?.error ? "error" : "ok"
  }>${notice?.text}</div>
    ${
    agents.error instanceof ApiError &&
    html`<p role="alert" class="error">${agents.error.message}</p>`
  }
    <div class="filters">
      <label>Name contains <input type="search" value=${filter}
        onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} /></label>
      <label>State <select aria-label="State" value=${state}
        onChange=${(e: Event) => setState((e.target as HTMLSelectElement).value)}>
        <option value="">any</option>
        ${
    ["running", "loaded", "draining", "stopped", "failed", "unloaded"].map((s) =>
      html`<option value=${s}>${s}</option>`
    )
  }
      </select></label>
      <label>Language <select aria-label="Language" value=${language}
        onChange=${(e: Event) => setLanguage((e.target as HTMLSelectElement).value)}>
        <option value="">any</option>
        ${languages.map((l) => html`<option value=${l}>${l}</option>`)}
      </select></label>
    </div>
    <div class="scroll" tabindex="0" role="region" aria-label="Agents table">
    <table class="agents">
      <caption class="sr-only">Agents, sortable by column</caption>
      <thead><tr>
        ${
    _COLUMNS.map((c) =>
      html`<th scope="col" aria-sort=${
        sort.key === c.key ? (sort.up ? "ascending" : "descending") : "none"
      }>
            <button class="sort" onClick=${() =>
        setSort({ key: c.key, up: sort.key === c.key ? !sort.up : true })}>
              ${c.label}</button></th>`
    )
  }
        <th scope="col">Actions</th>
      </tr></thead>
      <tbody>
        ${
    rows.map((a) =>
      html`<tr data-agent=${a.name}>
            <td><a href=${`#/agents/${encodeURIComponent(a.name)}`}>${a.name}</a></td>
            <td><span class=${`state state-${a.state}`}>${a.state}</span>
              ${a.failure && html`<div class="reason">${a.failure}</div>`}</td>
            ${
        _COLUMNS.slice(2).map((c) => html`<td class=${c.text ? c.key : "num"}>${c.value(a)}</td>`)
      }
            <td class="actions">
              ${
        a.state === "running"
          ? html`<button onClick=${() =>
            act(a.name, "stop")}>Stop<span class="sr-only"> ${a.name}</span></button>`
          : html`<button onClick=${() =>
            act(a.name, "start")}>Start<span class="sr-only"> ${a.name}</span></button>`
      }
              <button onClick=${() =>
        act(a.name, "reload")}>Reload<span class="sr-only"> ${a.name}</span></button>
              <button class="danger" onClick=${() =>
        confirm(`Remove agent ${a.name}?`) &&
        act(a.name, "remove")}>Remove<span class="sr-only"> ${a.name}</span></button>
            </td>
          </tr>`
    )
  }
      </tbody>
    </table>
    </div>
    ${rows.length === 0 && agents.value && html`<p class="muted">No agent matches.</p>`}
  </section>`;
}
