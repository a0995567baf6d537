/** `caxton agent state NAME [KEY]`: an agent's persisted key-value state, read through the API. */
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, table } from "../output.ts";
import type { Command } from "../command_types.ts";

interface _Entry {
  key: string;
  value: string;
  encoding: "utf8" | "base64";
  bytes: number;
}

function _value(entry: _Entry): string {
  return entry.encoding === "utf8" ? entry.value : `base64:${entry.value}`;
}

export const AGENT_STATE_COMMANDS: Command[] = [
  {
    noun: "agent",
    verb: "state",
    usage: "<name> [key] [--prefix P] [--after KEY] [--limit N]",
    summary: "an agent's stored state: keys and values (binary values as base64:…)",
    options: { prefix: { type: "string" }, after: { type: "string" }, limit: { type: "string" } },
    async run(ctx) {
      const [name, key, extra] = ctx.args;
      if (!name || extra !== undefined) {
        throw new CliError("expected an agent name and at most one key", EXIT.usage);
      }
      const base = `/api/v1/agents/${encodeURIComponent(name)}/state`;
      const o = ctx.output;
      if (key !== undefined) {
        const entry = await ctx.client().json<_Entry>(`${base}/${encodeURIComponent(key)}`);
        emit(o, entry, () => _value(entry));
        return;
      }
      const query = new URLSearchParams();
      for (const option of ["prefix", "after", "limit"]) {
        const value = ctx.values[option];
        if (typeof value === "string") query.set(option, value);
      }
      const page = await ctx.client().json<{ items: _Entry[]; next: string | null }>(
        `${base}?${query}`,
      );
      emit(o, page, () => {
        if (page.items.length === 0) return `no state for ${name}`;
        const rows = page.items.map((e) => [e.key, String(e.bytes), _value(e)]);
        const more = page.next === null
          ? []
          : [paint(o, "dim", `more: caxton agent state ${name} --after ${page.next}`)];
        return [table(o, ["KEY", "BYTES", "VALUE"], rows), ...more].join("\n");
      });
    },
  },
];
