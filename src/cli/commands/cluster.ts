/** `caxton cluster status`: the members the server sees (docs/CLUSTER.md). */
import { emit, paint, table } from "../output.ts";
import type { Command } from "../command_types.ts";

interface _Member {
  id: string;
  name: string;
  api: string | null;
  state: "joined" | "suspect" | "gone";
  self: boolean;
  agents: number;
  load: number;
  heartbeatAgeMs: number;
}

export const CLUSTER_COMMANDS: Command[] = [
  {
    noun: "cluster",
    verb: "status",
    usage: "",
    summary: "the cluster's nodes: state, agents, load, last heartbeat (exit 3 when not clustered)",
    async run(ctx) {
      const status = await ctx.client().json<
        { self: string; connected: boolean; nodes: _Member[] }
      >("/api/v1/cluster");
      const o = ctx.output;
      const color = { joined: "green", suspect: "yellow", gone: "red" } as const;
      emit(o, status, () =>
        [
          status.connected ? "" : paint(o, "red", "NATS unreachable: this view may be stale"),
          table(
            o,
            ["NODE", "ID", "STATE", "AGENTS", "LOAD", "HEARTBEAT", "API"],
            status.nodes.map((n) => [
              n.self ? `${n.name} (this)` : n.name,
              n.id,
              paint(o, color[n.state], n.state),
              String(n.agents),
              String(n.load),
              `${(n.heartbeatAgeMs / 1000).toFixed(1)}s ago`,
              n.api ?? "-",
            ]),
          ),
        ].filter((line) => line !== "").join("\n"));
    },
  },
];
