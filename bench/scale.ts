/**
 * `deno task bench scale` (issue 21): a node with many agents, each figure
 * from a fresh child process (bench/scale_node.ts) after forced GC.
 * SCALE_AGENTS (default 100,000) sets the number of agents; SCALE_ACTIVE
 * (default 20,000) how many are activated for the active-RSS slope.
 */
import { type Metric, report } from "./_report.ts";

const AGENTS = Number(Deno.env.get("SCALE_AGENTS") ?? 100_000);
const ACTIVE = Number(Deno.env.get("SCALE_ACTIVE") ?? 20_000);

async function child(mode: string, dataDir: string): Promise<Record<string, number>> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-worker-options",
      "--v8-flags=--expose-gc",
      "--allow-all",
      new URL("./scale_node.ts", import.meta.url).pathname,
      mode,
      dataDir,
      String(AGENTS),
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
  try {
    const m = await child("measure", dataDir);
    const r = await child("restart", dataDir);
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
        } (${(m.activateMs! / 1000).toFixed(1)} s)`,
      },
      {
        metric: "restart_to_ready_ms",
        value: Math.round(r.readyMs!),
        unit: "ms",
        goal: "<= 2000",
        note: `startNode → ready with ${AGENTS} agents (fresh process; /ready ${r.status})`,
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
    Deno.removeSync(dataDir, { recursive: true });
  }
}
