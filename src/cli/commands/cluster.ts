/** `caxton cluster status|agents`: the members and agents the server sees (docs/CLUSTER.md). */
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
  {
    noun: "cluster",
    verb: "agents",
    usage: "",
    summary: "every agent of the cluster with its node (exit 3 when not clustered)",
    async run(ctx) {
      const { items } = await ctx.client().json<
        { items: { name: string; nodeName: string; nodeState: _Member["state"] }[] }
      >("/api/v1/cluster/agents");
      const o = ctx.output;
      emit(o, { items }, () =>
        table(
          o,
          ["AGENT", "NODE", "NODE STATE"],
          items.map((a) => [a.name, a.nodeName, a.nodeState]),
        ));
    },
  },
];
