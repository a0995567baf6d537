/**
 * MCP benchmarks: what Caxton adds to a tool call.
 *
 * The tool is server-everything's `echo` over stdio (node, from node_modules),
 * one call at a time. Three round trips are sampled, interleaved so drift hits
 * them alike (in a rotating order):
 * - direct: the SDK client calls the tool (its own server process);
 * - agent: an outside participant asks the tool_caller agent (AssemblyScript),
 *   which sends `request` to `tool:everything/echo` and forwards the answer;
 * - echo: the same participant asks the echo agent (no tool), the baseline of
 *   the two hops participant→agent→participant.
 * `mcp_tool_call_overhead_ms` = p50(agent) − p50(echo) − p50(direct): the
 * agent's tool call through Caxton (agent→tool hop, the gateway, the SDK
 * client in Caxton, tool→agent hop, the agent's handling) minus the same call
 * made directly. `mcp_gateway_overhead_ms` is the same for a participant
 * calling the tool itself: p50(participant→tool) − p50(direct).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import { startNode } from "../main.ts";
import type { AclMessage } from "../src/acl/mod.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { defaultMcpConfig } from "../src/mcp/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, percentile, report } from "./_report.ts";

const AGENTS = new URL("../build/agents/", import.meta.url);
const EVERYTHING = fileURLToPath(
  new URL("../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url),
);
const WARMUP = 200;
const SAMPLES = 1_500;

export async function run(): Promise<void> {
  const server = { command: "node", args: [EVERYTHING, "stdio"] };
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-mcp-" });
  const node = await startNode({
    ...defaultConfig(),
    dataDir,
    port: 0,
    workers: 1,
    messageLog: "none",
    mcp: { ...defaultMcpConfig(), servers: { everything: server } },
  }, { serve: false, logger: SILENT_LOGGER });
  const direct = new Client({ name: "bench", version: "1.0.0" });
  await direct.connect(new StdioClientTransport({ ...server, stderr: "ignore" }));
  try {
    await node.agents.deploy(
      "caller",
      Deno.readFileSync(new URL("tool_caller_as.wasm", AGENTS)),
      { tools: ["everything/echo"] },
    );
    await node.agents.deploy("echo", Deno.readFileSync(new URL("echo_as.wasm", AGENTS)));

    // One outside participant; each request resolves on its threaded reply.
    const waiting = new Map<string, (m: AclMessage) => void>();
    using _participant = node.router.registerExternal("ext:bench", (m) => {
      const done = m.inReplyTo !== undefined ? waiting.get(m.inReplyTo) : undefined;
      if (done) {
        waiting.delete(m.inReplyTo!);
        done(m);
      }
    });
    let seq = 0;
    const ask = (receiver: string, content: unknown) =>
      new Promise<AclMessage>((resolve) => {
        const replyWith = `b${seq++}`;
        waiting.set(replyWith, resolve);
        node.router.route({
          performative: "request",
          sender: "ext:bench",
          receiver: [receiver],
          content,
          replyWith,
          conversationId: replyWith,
        });
      });
    const args = { message: "hello" };
    const rounds = {
      direct: async () => {
        await direct.callTool({ name: "echo", arguments: args });
      },
      // Twice per iteration, as Caxton's server process is (agent and participant rounds).
      direct2: async () => {
        await direct.callTool({ name: "echo", arguments: args });
      },
      agent: async () => {
        const r = await ask("caller", `tool:everything/echo ${JSON.stringify(args)}`);
        if (r.performative !== "inform") throw new Error(`agent call: ${JSON.stringify(r)}`);
      },
      participant: async () => {
        const r = await ask("tool:everything/echo", args);
        if (r.performative !== "inform") throw new Error(`participant call: ${JSON.stringify(r)}`);
      },
      echo: async () => {
        await ask("echo", "hello");
      },
    };
    const samples: Record<keyof typeof rounds, number[]> = {
      direct: [],
      direct2: [],
      agent: [],
      participant: [],
      echo: [],
    };
    // The order rotates each iteration: a server process idle longer answers slower
    // (measured: a fixed order skews the direct call by ~0.05 ms).
    const order = Object.entries(rounds);
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      order.push(order.shift()!);
      for (const [name, round] of order) {
        const t0 = performance.now();
        await round();
        if (i >= WARMUP) samples[name as keyof typeof rounds].push(performance.now() - t0);
      }
    }
    samples.direct.push(...samples.direct2);
    const p50 = (k: keyof typeof rounds) => median(samples[k]);
    const p99 = (k: keyof typeof rounds) => percentile(samples[k], 99);
    const metrics: Metric[] = [
      {
        metric: "mcp_tool_call_overhead_ms",
        value: p50("agent") - p50("echo") - p50("direct"),
        unit: "ms",
        goal: "<= 0.5",
        note: "p50(agent) - p50(echo) - p50(direct)",
      },
      {
        metric: "mcp_gateway_overhead_ms",
        value: p50("participant") - p50("direct"),
        unit: "ms",
        note: "participant→tool vs direct",
      },
      { metric: "mcp_direct_call_p50_ms", value: p50("direct"), unit: "ms" },
      { metric: "mcp_direct_call_p99_ms", value: p99("direct"), unit: "ms" },
      { metric: "mcp_agent_call_p50_ms", value: p50("agent"), unit: "ms", note: "incl. 2 hops" },
      { metric: "mcp_agent_call_p99_ms", value: p99("agent"), unit: "ms" },
      { metric: "mcp_participant_call_p50_ms", value: p50("participant"), unit: "ms" },
      { metric: "mcp_echo_agent_p50_ms", value: p50("echo"), unit: "ms", note: "2-hop baseline" },
    ];
    report("mcp", metrics);
  } finally {
    await direct.close();
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

if (import.meta.main) await run();
