/**
 * Deployment benchmarks (issue 16), on a real node (message log on, as users
 * run it) with real WASM agents, under continuous load: an outside
 * participant keeps WINDOW requests outstanding to "svc" across many
 * conversations, and every reply is stamped on arrival.
 *
 * - bluegreen_switch_pause_ms: per blue-green deploy (static + sandbox +
 *   warm load + switch), the longest gap between two replies from the call
 *   until 20 ms after it returned; median over SWITCHES (max beside it).
 *   reply_gap_ms_no_switch is the same measure over as long a window with no
 *   deploy, for scale.
 * - rollback_ms: `rollback` during the grace period, call to return (the old
 *   version takes all traffic again and the new one is retired); median.
 * - deploy_messages_lost_100_switches: requests without exactly one reply
 *   after SWITCHES switches (echo.wat ↔ trap_once.wat, both echo) under load.
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { ROLLOUT_OPTIONS } from "../src/lifecycle/deployments/rollout_options.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, report } from "./_report.ts";

const SWITCHES = 100;
const ROLLBACKS = 20;
const WINDOW = 32;
const _agent = (name: string) =>
  Deno.readFileSync(new URL(`../build/agents/${name}.wasm`, import.meta.url));

type Node = Awaited<ReturnType<typeof startNode>>;

/** Continuous request load with reply arrival times. */
class Load {
  readonly arrivals: number[] = [];
  readonly #replies = new Map<string, number>();
  #n = 0;
  #running = true;
  #outstanding = 0;
  readonly #node: Node;
  readonly #name = "ext:bench-load";
  readonly #registration: Disposable;

  constructor(node: Node) {
    this.#node = node;
    this.#registration = node.router.registerExternal(this.#name, (m) => {
      if (!m.inReplyTo || !this.#replies.has(m.inReplyTo)) return;
      this.#replies.set(m.inReplyTo, this.#replies.get(m.inReplyTo)! + 1);
      this.arrivals.push(performance.now());
      this.#outstanding--;
      if (this.#running) this.#send();
    });
    for (let i = 0; i < WINDOW; i++) this.#send();
  }

  #send(): void {
    const id = `r${this.#n++}`;
    this.#replies.set(id, 0);
    this.#outstanding++;
    this.#node.router.route({
      performative: "request",
      sender: this.#name,
      receiver: ["svc"],
      content: id,
      replyWith: id,
      conversationId: `c${this.#n % 97}`,
    });
  }

  /** The longest gap between replies (and from `from` to the first) in [from, to]. */
  longestGap(from: number, to: number): number {
    let last = from, gap = 0;
    for (const at of this.arrivals) {
      if (at < from) continue;
      if (at > to) break;
      gap = Math.max(gap, at - last);
      last = at;
    }
    return Math.max(gap, to - last);
  }

  async stop(): Promise<{ sent: number; lost: number; duplicated: number }> {
    this.#running = false;
    const end = Date.now() + 10_000;
    while (this.#outstanding > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    this.#registration[Symbol.dispose]();
    let lost = 0, duplicated = 0;
    for (const count of this.#replies.values()) {
      if (count === 0) lost++;
      if (count > 1) duplicated += count - 1;
    }
    return { sent: this.#n, lost, duplicated };
  }
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 1));
}

export async function run(): Promise<void> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-deploy-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0 },
    { serve: false, logger: SILENT_LOGGER },
  );
  try {
    const versions = [_agent("echo_wat"), _agent("trap_once")];
    await node.agents.deploy("svc", versions[0]!);
    const load = new Load(node);
    await until(() => load.arrivals.length > 2_000);
    const deployments = node.agents.deployments;
    const switchOptions = ROLLOUT_OPTIONS.parse({ strategy: "bluegreen", graceMs: 0, sample: 5 });
    const pauses: number[] = [];
    const quiet: number[] = [];
    for (let i = 0; i < SWITCHES; i++) {
      const began = performance.now();
      await deployments.deploy("svc", versions[(i + 1) % 2]!, switchOptions);
      const returned = performance.now();
      await new Promise((r) => setTimeout(r, 20));
      pauses.push(load.longestGap(began, returned + 20));
      await until(() => deployments.status("svc").status === "completed");
      if (i % 10 !== 0) continue;
      // As long a window with no deploy, for scale (every tenth switch: the group stays short).
      const still = performance.now();
      await new Promise((r) => setTimeout(r, returned + 20 - began));
      quiet.push(load.longestGap(still, performance.now()));
    }
    const rollbacks: number[] = [];
    const graceOptions = ROLLOUT_OPTIONS.parse({
      strategy: "bluegreen",
      graceMs: 600_000,
      sample: 0,
    });
    for (let i = 0; i < ROLLBACKS; i++) {
      await deployments.deploy("svc", versions[(i + 1) % 2]!, graceOptions);
      await new Promise((r) => setTimeout(r, 20));
      const began = performance.now();
      await deployments.rollback("svc");
      rollbacks.push(performance.now() - began);
    }
    const counts = await load.stop();
    const metrics: Metric[] = [
      {
        metric: "bluegreen_switch_pause_ms",
        value: median(pauses),
        unit: "ms",
        goal: "≤ 5",
        note: `median of ${SWITCHES}; max ${Math.max(...pauses).toFixed(1)}`,
      },
      {
        metric: "reply_gap_ms_no_switch",
        value: median(quiet),
        unit: "ms",
        note: "the same measure with no deploy, for scale",
      },
      {
        metric: "rollback_ms",
        value: median(rollbacks),
        unit: "ms",
        goal: "≤ 50",
        note: `median of ${ROLLBACKS}; max ${Math.max(...rollbacks).toFixed(1)}`,
      },
      {
        metric: "deploy_messages_lost_100_switches",
        value: counts.lost,
        unit: "messages",
        goal: "0",
        note: `${counts.sent} sent, ${counts.duplicated} answered twice`,
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
