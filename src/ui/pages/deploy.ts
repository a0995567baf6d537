/** Deploy an agent: drop (or pick) a `.wasm` file, name it, give its limits. */
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { html } from "../html.ts";

const _LIMITS = [
  ["fuelPerMessage", "Fuel per message"],
  ["memoryPages", "Memory pages (64 KiB)"],
  ["maxMessageBytes", "Max message bytes"],
  ["deadlineMs", "Deadline per message (ms)"],
] as const;

export function DeployForm({ onDeployed }: { onDeployed: (text: string, error: boolean) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const pick = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    if (name === "") {
      setName(f.name.replace(/\.wasm$/, "").replace(/[^a-z0-9._-]/g, "-").toLowerCase());
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || name === "") return;
    const form = new FormData(e.target as HTMLFormElement);
    const limits: Record<string, number> = {};
    for (const [key] of _LIMITS) {
      const v = String(form.get(key) ?? "");
      if (v !== "") limits[key] = Number(v);
    }
    const body = new FormData();
    body.set("module", file);
    body.set("limits", JSON.stringify(limits));
    body.set("isolation", String(form.get("isolation")));
    const caps = String(form.get("capabilities") ?? "").split(",").map((s) => s.trim()).filter(
      Boolean,
    );
    if (caps.length > 0) body.set("capabilities", JSON.stringify(caps));
    setBusy(true);
    try {
      const agent = await api<{ name: string; version: number }>(
        `/agents/${encodeURIComponent(name)}`,
        {
          method: "PUT",
          body,
        },
      );
      onDeployed(`Deployed ${agent.name} (version ${agent.version})`, false);
      setFile(null);
      setName("");
    } catch (error) {
      onDeployed(`Deploy ${name}: ${(error as Error).message}`, true);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <details class="deploy" open>
      <summary>Deploy an agent</summary>
      <form onSubmit=${submit}>
        <label class=${`drop ${over ? "over" : ""}`}
          onDragOver=${(e: DragEvent) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave=${() => setOver(false)}
          onDrop=${(e: DragEvent) => {
            e.preventDefault();
            setOver(false);
            pick(e.dataTransfer?.files[0]);
          }}>
          <span>${file
            ? `${file.name} (${file.size} bytes)`
            : "Drop a .wasm module here, or choose one"}</span>
          <input type="file" name="module" accept=".wasm,application/wasm"
            onChange=${(e: Event) => pick((e.target as HTMLInputElement).files?.[0])} />
        </label>
        <div class="grid">
            <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9._\\-]{0,62}" value=${name}
              onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
            <label>Isolation <select name="isolation" aria-label="Isolation">
              <option value="shared">shared</option><option value="dedicated">dedicated</option>
            </select></label>
            ${_LIMITS.map(([key, label]) =>
              html`<label>${label} <input name=${key} type="number" min="1" inputmode="numeric"
            placeholder="node default" /></label>`
            )}
            <label>Capabilities <input name="capabilities" placeholder="comma-separated" /></label>
          </div>
        <button type="submit" disabled=${!file || busy}>${busy ? "Deploying…" : "Deploy"}</button>
      </form>
    </details>
  `;
}
