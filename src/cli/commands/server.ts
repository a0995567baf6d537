/** `caxton server status`. */
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, table } from "../output.ts";
import type { Command } from "../command_types.ts";

export const SERVER_COMMANDS: Command[] = [
  {
    noun: "server",
    verb: "status",
    usage: "",
    summary: "is the server up and ready? (exit 0 ready, 5 not ready, 4 unreachable)",
    async run(ctx) {
      const client = ctx.client();
      const health = await client.json<{ version: string }>("/health");
      // /ready answers 503 with a body when not ready: read it either way.
      let ready: {
        status: string;
        checks: Record<string, string>;
        pool: Record<string, number>;
        agents: Record<string, number>;
      };
      try {
        ready = await client.json("/ready");
      } catch (error) {
        if (!(error instanceof CliError) || error.exitCode !== EXIT.refused) throw error;
        ready = { status: "not_ready", checks: {}, pool: {}, agents: {} };
      }
      const o = ctx.output;
      const found = { server: client.server, foundBy: client.source };
      emit(o, { ...found, version: health.version, ...ready }, () =>
        [
          `${paint(o, "bold", client.server)} (from ${client.source})  caxton ${health.version}  ${
            paint(
              o,
              ready.status === "ready" ? "green" : ready.status === "degraded" ? "yellow" : "red",
              ready.status,
            )
          }`,
          table(o, ["CHECK", "STATUS"], Object.entries(ready.checks).map(([k, v]) => [k, v])),
          `agents: ${Object.entries(ready.agents).map(([k, v]) => `${k}=${v}`).join(" ")}`,
          `workers: ${Object.entries(ready.pool).map(([k, v]) => `${k}=${v}`).join(" ")}`,
        ].join("\n"));
      return ready.status === "not_ready" ? EXIT.refused : EXIT.ok;
    },
  },
];
