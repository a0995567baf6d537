/**
 * `deno task bench scale` (issue 21): a node with many agents, each figure
 * from a fresh child process (bench/scale_node.ts) after forced GC.
 * SCALE_AGENTS (default 100,000) sets the number of agents; SCALE_ACTIVE
 * (default: all of them, or what vm.max_map_count allows) how many are
 * activated for the active-RSS slope, measured from a tenth of the agents.
 * Restart is timed on a node with only the agents deployed and on one a tenth
 * its size, three times each, alternately (the two should be alike), and once
 * on the measured node, whose log holds its ~56,000 deliveries.
 */
import { maxLiveInstances } from "../src/lifecycle/mod.ts";
import { median, type Metric, report } from "./_report.ts";

const AGENTS = Number(Deno.env.get("SCALE_AGENTS") ?? 100_000);
/**
 * Every instance's linear memory takes two kernel memory maps, and a process
 * dies near vm.max_map_count / 2 instances; the node refuses activations past
 * its live-instance limit (src/lifecycle/instance_limit.ts, derived from
 * vm.max_map_count). The active slope stays under that limit, less the
 * first-message agents activated before it, so none is passivated to make room.
 */
const ACTIVE = Number(
  Deno.env.get("SCALE_ACTIVE") ?? Math.min(AGENTS, maxLiveInstances(0) - 1_500),
);
const RESTARTS = 3;

async function child(
  mode: string,
  dataDir: string,
  agents = AGENTS,
): Promise<Record<string, number>> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-worker-options",
      "--v8-flags=--expose-gc",
      "--allow-all",
      new URL("./scale_node.ts", import.meta.url).pathname,
      mode,
      dataDir,
      String(agents),
    ],
    env: { SCALE_ACTIVE: String(ACTIVE) },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`scale_node.ts ${mode} exited with ${code}`);
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}

export async function run(): Promise<void> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-scale-" });
  const bigDir = Deno.makeTempDirSync({ prefix: "caxton-bench-scale-big-" });
  const smallDir = Deno.makeTempDirSync({ prefix: "caxton-bench-scale-small-" });
  const small = Math.round(AGENTS / 10);
  try {
    const t0 = performance.now();
    const m = await child("measure", dataDir);
    await child("deploy", bigDir);
    await child("deploy", smallDir, small);
    const restarts: Record<string, number>[] = [];
    const smallRestarts: Record<string, number>[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      smallRestarts.push(await child("restart", smallDir, small));
      restarts.push(await child("restart", bigDir));
    }
    const logged = await child("restart", dataDir);
    const ready = (runs: Record<string, number>[]) => median(runs.map((r) => r.readyMs!));
    const [readyMs, smallReadyMs] = [ready(restarts), ready(smallRestarts)];
    const spread = (runs: Record<string, number>[]) =>
      runs.map((r) => Math.round(r.readyMs!)).join("/");
    const groupS = ((performance.now() - t0) / 1000).toFixed(0);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const metrics: Metric[] = [
      {
        metric: "bulk_deploy_agents_per_sec",
        value: Math.round((AGENTS - 1) / (m.deployMs! / 1000)),
        unit: "agents/s",
        goal: ">= 5000",
        note: `${AGENTS} echo agents through PUT /api/v1/agents, 10,000 per request`,
      },
      {
        metric: "rss_bytes_per_idle_agent",
        value: Math.round(m.passiveSlope!),
        unit: "bytes",
        goal: "<= 2500",
        note: `passivated; slope ${AGENTS / 10} → ${AGENTS} after forced GC: ${mib(m.rssBase!)} → ${
          mib(m.rssAll!)
        }`,
      },
      {
        metric: "rss_bytes_per_active_agent",
        value: Math.round(m.activeSlope!),
        unit: "bytes",
        goal: "<= 20000",
        note: `slope ${m.activeBase} → ${m.activeAll} activated: ${mib(m.rssActiveBase!)} → ${
          mib(m.rssActiveAll!)
        } (${(m.activateMs! / 1000).toFixed(1)} s), ${
          m.mapsPerInstance!.toFixed(2)
        } maps each, ${m.limited} passivated by the limit${
          m.activeAll! < AGENTS ? `; the node's live-instance limit here is ${m.maxLive}` : ""
        }`,
      },
      {
        metric: "restart_to_ready_ms",
        value: Math.round(readyMs),
        unit: "ms",
        goal: "<= 2000",
        note: `${AGENTS} agents: startNode → first 200 of /ready, fresh process, median of ${
          spread(restarts)
        } ms; ${
          restarts[0]!.adopted
        } agents adopted at start; the measured node, its log holding ${logged.logged} deliveries: ${
          Math.round(logged.readyMs!)
        } ms`,
      },
      {
        metric: "restart_to_ready_ms_10k",
        value: Math.round(smallReadyMs),
        unit: "ms",
        goal: "≈ restart_to_ready_ms",
        note: `${small} agents, the same way: median of ${spread(smallRestarts)} ms; ratio ${
          (readyMs / smallReadyMs).toFixed(2)
        } for 10x the agents (whole group ${groupS} s)`,
      },
      {
        metric: "first_message_activation_ms",
        value: Number(m.firstP99!.toFixed(2)),
        unit: "ms p99",
        goal: "<= 5",
        note: `request → answer, 1,000 passivated agents one at a time; p50 ${
          m.firstP50!.toFixed(2)
        } ms; warm agent p50 ${m.warmP50!.toFixed(2)} p99 ${m.warmP99!.toFixed(2)} ms`,
      },
      {
        metric: "metrics_bytes",
        value: m.metricsBytes!,
        unit: "bytes",
        goal: "<= 100000",
        note: `GET /metrics with ${AGENTS} agents`,
      },
      {
        metric: "list_agents_p50_ms",
        value: Number(m.listP50!.toFixed(2)),
        unit: "ms",
        goal: "<= 20",
        note: `GET /api/v1/agents?limit=100&after=<random name>, 50 requests`,
      },
    ];
    report("scale", metrics);
  } finally {
    for (const dir of [dataDir, bigDir, smallDir]) Deno.removeSync(dir, { recursive: true });
  }
}
