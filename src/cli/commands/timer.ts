/** `caxton timer set|list|cancel`: reminders for an agent (docs/TIMERS.md). */
import { CliError, EXIT } from "../exit.ts";
import { emit, table } from "../output.ts";
import type { Command } from "../command_types.ts";

interface _Timer {
  id: number;
  agent: string;
  dueAt: string;
  everyMs: number | null;
  payload: string;
}

const _UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500`, `1500ms`, `5s`, `2m`, `1h`, `1d` → ms; a CliError (usage) otherwise. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new CliError(
      `--${option} ${JSON.stringify(text)} is not a duration`,
      EXIT.usage,
      "write it as ms or with a unit: 1500, 5s, 2m, 1h, 1d",
    );
  }
  return Number(match[1]) * _UNITS[match[2] ?? "ms"]!;
}

function _row(t: _Timer): string[] {
  return [String(t.id), t.dueAt, t.everyMs === null ? "-" : `${t.everyMs}ms`, t.payload || "-"];
}

const _HEADER = ["ID", "DUE", "EVERY", "PAYLOAD"];

export const TIMER_COMMANDS: Command[] = [
  {
    noun: "timer",
    verb: "set",
    usage: "<agent> --in DURATION [--every DURATION] [--payload TEXT]",
    summary: "set a one-shot (or periodic) reminder: the agent gets an inform from caxton",
    options: {
      in: { type: "string" },
      every: { type: "string" },
      payload: { type: "string" },
    },
    async run(ctx) {
      const agent = ctx.args[0];
      const delay = ctx.values.in;
      if (agent === undefined || typeof delay !== "string") {
        throw new CliError(
          "timer set needs an agent and --in",
          EXIT.usage,
          "caxton timer set echo --in 5s",
        );
      }
      const body: Record<string, unknown> = { delayMs: parseDuration(delay, "in") };
      if (typeof ctx.values.every === "string") {
        body.everyMs = parseDuration(ctx.values.every, "every");
      }
      if (typeof ctx.values.payload === "string") body.payload = ctx.values.payload;
      const timer = await ctx.client().json<_Timer>(
        `/api/v1/agents/${encodeURIComponent(agent)}/timers`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        },
      );
      emit(ctx.output, timer, () => table(ctx.output, _HEADER, [_row(timer)]));
    },
  },
  {
    noun: "timer",
    verb: "list",
    usage: "<agent>",
    summary: "an agent's pending timers, earliest first",
    async run(ctx) {
      const agent = ctx.args[0];
      if (agent === undefined) {
        throw new CliError("timer list needs an agent", EXIT.usage, "caxton timer list echo");
      }
      const { timers } = await ctx.client().json<{ timers: _Timer[] }>(
        `/api/v1/agents/${encodeURIComponent(agent)}/timers`,
      );
      emit(
        ctx.output,
        { timers },
        () =>
          timers.length === 0 ? "no pending timers" : table(ctx.output, _HEADER, timers.map(_row)),
      );
    },
  },
  {
    noun: "timer",
    verb: "cancel",
    usage: "<agent> <id>",
    summary: "cancel a pending timer",
    async run(ctx) {
      const [agent, id] = ctx.args;
      if (agent === undefined || id === undefined) {
        throw new CliError(
          "timer cancel needs an agent and an id",
          EXIT.usage,
          "caxton timer list <agent>",
        );
      }
      await ctx.client().fetch(
        `/api/v1/agents/${encodeURIComponent(agent)}/timers/${encodeURIComponent(id)}`,
        { method: "DELETE" },
      );
      emit(ctx.output, { cancelled: Number(id) }, () => `cancelled timer ${id}`);
    },
  },
];
