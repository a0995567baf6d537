/** `caxton agent deploy|list|get|start|stop|reload|remove|logs` (state: agent_state.ts). */
import { basename } from "node:path";
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, paintState, table } from "../output.ts";
import type { Command, CommandContext } from "../command_types.ts";
import { countOption, deployCount } from "./agent_bulk.ts";
import { deployWithStrategy, ROLLOUT_CLI_OPTIONS } from "./rollout.ts";
import { parseInstances, poolSizeProblem } from "../../lifecycle/pool_size.ts";

interface _Agent {
  name: string;
  state: string;
  version: number;
  /** Absent from nodes older than issue 19. */
  language?: string;
  isolation: string;
  limits: Record<string, number>;
  capabilities: string[];
  tools: string[];
  toolLimits: Record<string, number>;
  failure: string | null;
  mailboxDepth: number;
  counters: Record<string, number>;
  updatedAt: string;
  instances?: number;
  maxInstances?: number | null;
  members?: { worker: number | null; handled: number }[];
}

/** `--instances N` or `MIN..MAX`, checked here so a bad one is a usage error before the upload. */
function _instances(text: string): string {
  const parsed = parseInstances(text);
  const problem = parsed === undefined ? "not N or MIN..MAX" : poolSizeProblem(parsed);
  if (problem === null) return text;
  throw new CliError(
    `Cannot use --instances ${text}: ${problem}; expected a fixed number of pool members (--instances 4) or a range the node sizes from mailbox depth (--instances 1..4)`,
    EXIT.usage,
  );
}

function _one(ctx: CommandContext, what = "<name>"): string {
  const [name, extra] = ctx.args;
  if (name === undefined || extra !== undefined) {
    throw new CliError(`expected exactly one agent name: caxton agent … ${what}`, EXIT.usage);
  }
  return name;
}

function _show(ctx: CommandContext, agent: _Agent): void {
  const o = ctx.output;
  emit(o, agent, () =>
    [
      `${paint(o, "bold", agent.name)}  ${paintState(o, agent.state)}  version ${agent.version}`,
      agent.failure ? paint(o, "red", `failure: ${agent.failure}`) : "",
      `language      ${agent.language ?? "unknown"}`,
      `isolation     ${agent.isolation}`,
      (agent.instances ?? 1) > 1 || agent.maxInstances
        ? `instances     ${
          agent.maxInstances
            ? `${agent.members?.length ?? 0} of ${agent.instances}..${agent.maxInstances}`
            : agent.instances
        } (${
          agent.members?.map((m, i) => `#${i} worker ${m.worker ?? "-"} handled ${m.handled}`)
            .join(", ") ?? "not loaded"
        })`
        : "",
      `capabilities  ${agent.capabilities.join(", ") || "-"}`,
      `tools         ${agent.tools.join(", ") || "-"}${
        Object.keys(agent.toolLimits).length > 0
          ? `  (${Object.entries(agent.toolLimits).map(([k, v]) => `${k}=${v}`).join(" ")})`
          : ""
      }`,
      `mailbox       ${agent.mailboxDepth}`,
      `counters      ${Object.entries(agent.counters).map(([k, v]) => `${k}=${v}`).join(" ")}`,
      `limits        ${Object.entries(agent.limits).map(([k, v]) => `${k}=${v}`).join(" ")}`,
    ].filter((l) => l !== "").join("\n"));
}

const _lifecycle = (verb: "start" | "stop" | "reload"): Command => ({
  noun: "agent",
  verb,
  usage: "<name>",
  summary: `${verb} an agent`,
  async run(ctx) {
    const name = _one(ctx);
    const agent = await ctx.client().send<_Agent>("POST", `/api/v1/agents/${name}/${verb}`);
    _show(ctx, agent);
  },
});

function _limits(values: CommandContext["values"]): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const pair of (values.limit as string[] | undefined) ?? []) {
    const [key, value] = pair.split("=");
    const n = Number(value);
    if (!key || value === undefined || !Number.isFinite(n)) {
      throw new CliError(
        `Cannot use --limit ${pair}: expected name=number, e.g. memoryPages=16`,
        EXIT.usage,
      );
    }
    limits[key] = n;
  }
  return limits;
}

export const AGENT_COMMANDS: Command[] = [
  {
    noun: "agent",
    verb: "deploy",
    usage:
      "<name> <file.wasm> [--limit key=N]… [--isolation shared|dedicated] [--capability C]… [--tool server/tool]… [--no-start] [--keep-alive] [--instances N|MIN..MAX] [--language L] [--count N] [--node NAME] [--strategy bluegreen|canary|shadow [--steps 10,25,50,100] [--interval 30s] [--grace 60s] [--duration 60s] [--test JSON]… [--sample N]]",
    summary:
      "deploy a module as an agent (a running agent is hot-reloaded); --count N deploys name-1…name-N",
    options: {
      limit: { type: "string", multiple: true },
      isolation: { type: "string" },
      capability: { type: "string", multiple: true },
      // MCP tools the agent may call ("server/tool" or "server/*"); none unless granted.
      tool: { type: "string", multiple: true },
      "no-start": { type: "boolean" },
      "keep-alive": { type: "boolean" },
      instances: { type: "string" },
      // The module's source language, when detection cannot tell (e.g. zig).
      language: { type: "string" },
      count: { type: "string" },
      // A rollout instead of a hot reload (docs/DEPLOYMENTS.md): commands/rollout.ts.
      ...ROLLOUT_CLI_OPTIONS,
      // Cluster: the node to deploy on (else placement chooses; docs/CLUSTER.md).
      node: { type: "string" },
    },
    async run(ctx) {
      const [name, file] = ctx.args;
      if (!name || !file) {
        throw new CliError(
          "deploy needs a name and a module: caxton agent deploy <name> <file.wasm>",
          EXIT.usage,
        );
      }
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = Deno.readFileSync(file);
      } catch (error) {
        throw new CliError(
          `Cannot read module "${file}": ${(error as Error).message}`,
          EXIT.usage,
          "build it first (e.g. `deno task build:agents` puts the examples in build/agents/)",
        );
      }
      const build = () => {
        const form = new FormData();
        form.set("module", new File([bytes], basename(file)));
        form.set("limits", JSON.stringify(_limits(ctx.values)));
        if (ctx.values.isolation) form.set("isolation", ctx.values.isolation as string);
        const capabilities = ctx.values.capability as string[] | undefined;
        if (capabilities?.length) form.set("capabilities", JSON.stringify(capabilities));
        const tools = ctx.values.tool as string[] | undefined;
        if (tools?.length) form.set("tools", JSON.stringify(tools));
        if (ctx.values["no-start"]) form.set("start", "false");
        if (ctx.values["keep-alive"]) form.set("keepAlive", "true");
        const instances = ctx.values.instances as string | undefined;
        if (instances !== undefined) form.set("instances", _instances(instances));
        if (ctx.values.language) form.set("language", ctx.values.language as string);
        return form;
      };
      if (typeof ctx.values.strategy === "string") {
        return await deployWithStrategy(ctx, name, bytes);
      }
      const count = countOption(ctx.values.count);
      if (count !== undefined) return await deployCount(ctx, name, count, build);
      const form = build();
      const o = ctx.output;
      if (o.interactive && !o.json) {
        o.err(
          paint(
            o,
            "dim",
            `deploying ${name} (${
              (bytes.length / 1024).toFixed(1)
            } KiB): validating, metering, loading…`,
          ),
        );
      }
      const node = ctx.values.node ? `?node=${encodeURIComponent(ctx.values.node as string)}` : "";
      const agent = await ctx.client().json<_Agent>(`/api/v1/agents/${name}${node}`, {
        method: "PUT",
        body: form,
      });
      _show(ctx, agent);
    },
  },
  {
    noun: "agent",
    verb: "list",
    usage: "[--state S] [--prefix P] [--capability C] [--limit N] [--after NAME]",
    summary: "list agents, a page at a time (--after the last name shown for the next)",
    options: {
      state: { type: "string" },
      prefix: { type: "string" },
      capability: { type: "string" },
      limit: { type: "string" },
      after: { type: "string" },
    },
    async run(ctx) {
      const query = new URLSearchParams();
      for (const key of ["state", "prefix", "capability", "limit", "after"]) {
        const value = ctx.values[key];
        if (typeof value === "string") query.set(key, value);
      }
      const page = await ctx.client().json<{ items: _Agent[]; next: string | null }>(
        `/api/v1/agents?${query}`,
      );
      const o = ctx.output;
      emit(
        o,
        page,
        () =>
          page.items.length === 0
            ? "no agents; deploy one with `caxton agent deploy <name> <file.wasm>`"
            : table(
              o,
              ["NAME", "STATE", "VERSION", "LANGUAGE", "MAILBOX", "HANDLED", "FAILED", "UPDATED"],
              page.items.map((a) => [
                a.name,
                paintState(o, a.state),
                String(a.version),
                a.language ?? "unknown",
                String(a.mailboxDepth),
                String(a.counters.handled ?? 0),
                String(a.counters.failed ?? 0),
                a.updatedAt,
              ]),
            ) + (page.next === null ? "" : `\nmore: caxton agent list --after ${page.next}`),
      );
    },
  },
  {
    noun: "agent",
    verb: "get",
    usage: "<name>",
    summary: "show an agent: state, version, limits, counters",
    async run(ctx) {
      _show(ctx, await ctx.client().json<_Agent>(`/api/v1/agents/${_one(ctx)}`));
    },
  },
  _lifecycle("start"),
  _lifecycle("stop"),
  _lifecycle("reload"),
  {
    noun: "agent",
    verb: "remove",
    usage: "<name>",
    summary: "remove an agent, its versions and state",
    async run(ctx) {
      const name = _one(ctx);
      await ctx.client().send("DELETE", `/api/v1/agents/${name}`);
      emit(ctx.output, { removed: name }, () => `removed ${name}`);
    },
  },
  {
    noun: "agent",
    verb: "logs",
    usage: "<name>",
    summary: "an agent's lifecycle transitions and runtime events (traps, restarts)",
    async run(ctx) {
      const name = _one(ctx);
      const history = await ctx.client().json<{
        transitions: {
          from: string;
          to: string;
          version: number;
          reason: string | null;
          at: string;
        }[];
        events: { kind: string; detail: string; at: string }[];
      }>(`/api/v1/agents/${name}/history`);
      const o = ctx.output;
      const lines = [
        ...history.transitions.map((t) => ({
          at: t.at,
          kind: "transition",
          text: `${t.from} → ${t.to} (v${t.version})${t.reason ? `: ${t.reason}` : ""}`,
        })),
        ...history.events.map((e) => ({ at: e.at, kind: e.kind, text: e.detail })),
      ].sort((a, b) => a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
      emit(o, history, () =>
        table(
          o,
          ["AT", "KIND", "WHAT"],
          lines.map((l) => [
            paint(o, "dim", l.at),
            l.kind === "trap" || l.kind === "watchdog" ? paint(o, "red", l.kind) : l.kind,
            l.text,
          ]),
        ));
    },
  },
];
