/// <reference lib="dom" />
/**
 * The dashboard's entry: a hash router over the pages, the header with its
 * navigation and the bearer key field. Bundled by scripts/build_ui.ts.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { apiKey, setApiKey } from "./api.ts";
import { html } from "./html.ts";
import { AgentDetail } from "./pages/agent_detail.ts";
import { Agents } from "./pages/agents.ts";
import { Conversation } from "./pages/conversation.ts";
import { Messages } from "./pages/messages.ts";
import { Overview } from "./pages/overview.ts";
import { Tools } from "./pages/tools.ts";

const _NAV = [
  ["#/", "Overview"],
  ["#/agents", "Agents"],
  ["#/messages", "Messages"],
  ["#/tools", "MCP tools"],
] as const;

function _route(): { path: string[]; query: URLSearchParams } {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return {
    path: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(query),
  };
}

function Page({ path, query }: ReturnType<typeof _route>) {
  const [first, second] = path;
  if (first === "agents" && second) return html`<${AgentDetail} name=${second} key=${second} />`;
  if (first === "agents") return html`<${Agents} />`;
  if (first === "messages") return html`<${Messages} query=${query} key=${query.toString()} />`;
  if (first === "conversations" && second) {
    return html`<${Conversation} id=${second} key=${second} />`;
  }
  if (first === "tools") return html`<${Tools} />`;
  return html`<${Overview} />`;
}

function KeyField() {
  const [saved, setSaved] = useState(apiKey() !== "");
  return html`
    <form class="key" onSubmit=${(e: Event) => {
      e.preventDefault();
      const value = String(new FormData(e.target as HTMLFormElement).get("key") ?? "").trim();
      setApiKey(value);
      setSaved(value !== "");
      location.reload();
    }}>
      <label>API key <input name="key" type="password" autocomplete="off"
          placeholder=${saved ? "saved for this tab" : "none"} /></label>
      <button type="submit">${saved ? "Replace" : "Use"}</button>
    </form>
  `;
}

function App() {
  const [route, setRoute] = useState(_route());
  useEffect(() => {
    const onHash = () => setRoute(_route());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  const here = `#/${route.path[0] ?? ""}`;
  return html`
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      document.getElementById("main")?.focus();
    }}>Skip to content</a>
    <header>
      <strong class="brand">Caxton</strong>
      <nav aria-label="Pages">
        <ul>${_NAV.map(([href, label]) =>
          html`<li><a href=${href} aria-current=${
            here === href ? "page" : undefined
          }>${label}</a></li>`
        )}</ul>
      </nav>
      <${KeyField} />
    </header>
    <main id="main" tabindex="-1">
      <${Page} ...${route} />
    </main>
  `;
}

const root = document.getElementById("app")!;
root.textContent = ""; // the "Loading" line; Preact 11 renders beside what is there
render(html`<${App} />`, root);
