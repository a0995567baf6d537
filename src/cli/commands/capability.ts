/** `caxton capability search`: the directory's live providers (docs/DISCOVERY.md). */
import { emit, paintState, table } from "../output.ts";
import type { Command } from "../command_types.ts";

interface _Provider {
  agent: string;
  name: string;
  version?: string;
  attributes?: Record<string, string | number | boolean>;
  cost?: number;
  state: string;
  load: number;
}

export const CAPABILITY_COMMANDS: Command[] = [
  {
    noun: "capability",
    verb: "search",
    usage: "[name] [--version RANGE] [--attribute key=value]… [--max-cost N] [--limit N]",
    summary: "live providers of a capability, least loaded first",
    options: {
      version: { type: "string" },
      attribute: { type: "string", multiple: true },
      "max-cost": { type: "string" },
      limit: { type: "string" },
    },
    async run(ctx) {
      const params = new URLSearchParams();
      if (ctx.args[0] !== undefined) params.set("name", ctx.args[0]);
      const { version, attribute, "max-cost": maxCost, limit } = ctx.values;
      if (typeof version === "string") params.set("version", version);
      for (const pair of (attribute ?? []) as string[]) params.append("attribute", pair);
      if (typeof maxCost === "string") params.set("maxCost", maxCost);
      if (typeof limit === "string") params.set("limit", limit);
      const { providers } = await ctx.client().json<{ providers: _Provider[] }>(
        `/api/v1/capabilities?${params}`,
      );
      const o = ctx.output;
      emit(o, { providers }, () =>
        providers.length === 0 ? "no live provider matches" : table(
          o,
          ["AGENT", "CAPABILITY", "VERSION", "ATTRIBUTES", "COST", "STATE", "LOAD"],
          providers.map((p) => [
            p.agent,
            p.name,
            p.version ?? "-",
            Object.entries(p.attributes ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "-",
            p.cost === undefined ? "-" : String(p.cost),
            paintState(o, p.state),
            String(p.load),
          ]),
        ));
    },
  },
];
