/**
 * Deployment benchmarks (issue 16), on a real node (message log on, as users
 * run it) with real WASM agents, under continuous load from an outside
 * participant over 97 conversations, every reply stamped on arrival
 * (bench/deploy_load.ts).
 *
 * - bluegreen_switch_pause_ms: under a fixed load of PACED_PER_SEC requests/s
 *   (well under what the node answers saturated, measured first and reported
 *   as saturated_replies_per_sec), per blue-green deploy (static + sandbox +
 *   warm load + switch) the longest gap between two replies from the call
 *   until 20 ms after it returned; median over SWITCHES. Right after each
 *   switch, reply_gap_ms_no_switch is the same statistic over an equal window
 *   with no deploy, and bluegreen_switch_pause_excess_ms the median of the
 *   per-switch differences: what the switch adds to the node's own gaps.
 * - The same two figures with the node saturated (a window of WINDOW
 *   requests outstanding), `_saturated`, over SATURATED_SWITCHES switches.
 * - rollback_ms: `rollback` during the grace period, call to return (the old
 *   version takes all traffic again and the new one is retired); median.
 * - deploy_messages_lost_100_switches: requests without exactly one reply
 *   after SWITCHES switches (echo.wat ↔ trap_once.wat, both echo) under the
 *   fixed load (the saturated phase's counts are in the note).
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { ROLLOUT_OPTIONS } from "../src/lifecycle/deployments/rollout_options.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, report } from "./_report.ts";
import { Load } from "./deploy_load.ts";

const SWITCHES = 100;
const SATURATED_SWITCHES = 20;
const ROLLBACKS = 20;
const WINDOW = 32;
/** The fixed load: about a tenth of what the node answers saturated on this machine. */
const PACED_PER_SEC = 1_000;
const _agent = (name: string) =>
  Deno.readFileSync(new URL(`../build/agents/${name}.wasm`, import.meta.url));
const _sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = Awaited<ReturnType<typeof startNode>>;

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 1));
}

/**
 * `count` blue-green switches under `load`: per switch, the longest reply gap
 * during it and over an equal window right after it with no deploy.
 */
async function measureSwitches(
  node: Node,
  load: Load,
  count: number,
): Promise<{ pauses: number[]; quiet: number[] }> {
  const versions = [_agent("echo_wat"), _agent("trap_once")];
  const deployments = node.agents.deployments;
  const options = ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 0, sample: 5 });
  const pauses: number[] = [];
  const quiet: number[] = [];
  for (let i = 0; i < count; i++) {
    const began = performance.now();
    await deployments.deploy("svc", versions[(node.agents.get("svc").version) % 2]!, options);
    const returned = performance.now();
    await _sleep(20);
    pauses.push(load.longestGap(began, returned + 20));
    await until(() => deployments.status("svc").status === "completed");
    const still = performance.now();
    await _sleep(returned + 20 - began);
    quiet.push(load.longestGap(still, performance.now()));
  }
  return { pauses, quiet };
}

export async function run(): Promise<void> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-deploy-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    await node.agents.deploy("svc", _agent("echo_wat"));
    // Saturated: a closed window; its reply rate is the node's capacity here.
    const saturated = new Load(node, { kind: "closed", window: WINDOW });
    await until(() => saturated.arrivals.length > 2_000);
    const from = saturated.arrivals.length;
    const t0 = performance.now();
    await _sleep(1_000);
    const capacity = (saturated.arrivals.length - from) * 1000 / (performance.now() - t0);
    const hot = await measureSwitches(node, saturated, SATURATED_SWITCHES);
    const hotCounts = await saturated.stop();
    // Fixed rate, well under capacity: the node's own gaps stay small.
    const load = new Load(node, { kind: "paced", perSecond: PACED_PER_SEC });
    await _sleep(500);
    const paced = await measureSwitches(node, load, SWITCHES);
    const excess = paced.pauses.map((p, i) => p - paced.quiet[i]!);
    const rollbacks: number[] = [];
    const graceOptions = ROLLOUT_OPTIONS.parse({
      strategy: "bluegreen",
      graceMs: 600_000,
      sample: 0,
    });
    const versions = [_agent("echo_wat"), _agent("trap_once")];
    for (let i = 0; i < ROLLBACKS; i++) {
      await node.agents.deployments.deploy("svc", versions[(i + 1) % 2]!, graceOptions);
      await _sleep(20);
      const began = performance.now();
      await node.agents.deployments.rollback("svc");
      rollbacks.push(performance.now() - began);
    }
    const counts = await load.stop();
    const max = (values: number[]) => Math.max(...values).toFixed(1);
    const metrics: Metric[] = [
      {
        metric: "bluegreen_switch_pause_ms",
        value: median(paced.pauses),
        unit: "ms",
        goal: "≤ 5",
        note: `${PACED_PER_SEC} req/s fixed; median of ${SWITCHES}; max ${max(paced.pauses)}`,
      },
      {
        metric: "reply_gap_ms_no_switch",
        value: median(paced.quiet),
        unit: "ms",
        note: `same load, equal windows with no deploy; max ${max(paced.quiet)}`,
      },
      {
        metric: "bluegreen_switch_pause_excess_ms",
        value: median(excess),
        unit: "ms",
        note: "median of per-switch (pause − the equal window after it)",
      },
      {
        metric: "saturated_replies_per_sec",
        value: Math.round(capacity),
        unit: "msg/s",
        note: `${WINDOW} outstanding; the fixed load is ${
          Math.round(PACED_PER_SEC * 100 / capacity)
        } % of it`,
      },
      {
        metric: "bluegreen_switch_pause_ms_saturated",
        value: median(hot.pauses),
        unit: "ms",
        note: `median of ${SATURATED_SWITCHES}; max ${max(hot.pauses)}`,
      },
      {
        metric: "reply_gap_ms_no_switch_saturated",
        value: median(hot.quiet),
        unit: "ms",
        note: "saturated, equal windows with no deploy",
      },
      {
        metric: "rollback_ms",
        value: median(rollbacks),
        unit: "ms",
        goal: "≤ 50",
        note: `median of ${ROLLBACKS}; max ${max(rollbacks)}`,
      },
      {
        metric: "deploy_messages_lost_100_switches",
        value: counts.lost,
        unit: "messages",
        goal: "0",
        note:
          `${counts.sent} sent, ${counts.duplicated} answered twice; saturated phase: ${hotCounts.lost} lost, ${hotCounts.duplicated} twice of ${hotCounts.sent}`,
      },
      {
        metric: "deploy_messages_duplicated_100_switches",
        value: counts.duplicated,
        unit: "messages",
        goal: "0",
      },
    ];
    report("deploy", metrics);
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}
