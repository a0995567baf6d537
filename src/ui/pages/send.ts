/** Send a message as an outside participant (`ext:<name>`, registered on first use). */
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { html } from "../html.ts";

const _PERFORMATIVES = [
  "request",
  "inform",
  "query-ref",
  "query-if",
  "cfp",
  "propose",
  "subscribe",
];

export function SendForm() {
  const [result, setResult] = useState<
    { text: string; error: boolean; conversation?: string } | null
  >(
    null,
  );
  const send = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const as = String(form.get("as") || "dashboard");
    const conversationId = String(
      form.get("conversationId") || `ui-${crypto.randomUUID().slice(0, 8)}`,
    );
    const protocol = String(form.get("protocol") ?? "");
    const message = {
      performative: String(form.get("performative")),
      receiver: [String(form.get("to"))],
      content: String(form.get("content") ?? ""),
      conversationId,
      replyWith: `r-${crypto.randomUUID().slice(0, 8)}`,
      ...(protocol === "" ? {} : { protocol }),
    };
    try {
      await api(`/participants/${encodeURIComponent(as)}`, { method: "PUT" });
      const sent = await api<{ delivered: number }>(
        `/participants/${encodeURIComponent(as)}/messages`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(message),
        },
      );
      setResult({
        text: `Sent to ${sent.delivered} receiver(s)`,
        error: false,
        conversation: conversationId,
      });
    } catch (error) {
      setResult({ text: `Send: ${(error as Error).message}`, error: true });
    }
  };
  return html`
    <details class="send">
      <summary>Send a message</summary>
      <form onSubmit=${send}>
        <div class="grid">
          <label>As participant <input name="as" value="dashboard" /></label>
          <label>To agent <input name="to" required /></label>
          <label>Performative <select name="performative" aria-label="Performative">
              ${_PERFORMATIVES.map((p) => html`<option value=${p}>${p}</option>`)}
            </select></label>
          <label>Protocol <select name="protocol" aria-label="Protocol">
              <option value="">none</option><option value="fipa-request">fipa-request</option>
              <option value="fipa-query">fipa-query</option><option value="fipa-contract-net">fipa-contract-net</option>
            </select></label>
          <label>Conversation id <input name="conversationId" placeholder="new" /></label>
          <label class="wide">Content <input name="content" /></label>
        </div>
        <button type="submit">Send</button>
        <span role="status" class=${result?.error ? "error" : "ok"}>${result?.text}
            ${result?.conversation && html`
              <a href=${`#/conversations/${encodeURIComponent(result.conversation)}`}>
                      open conversation ${result.conversation}</a>
            `}</span>
      </form>
    </details>
  `;
}
