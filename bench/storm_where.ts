/**
 * Where a late timer's time goes under a storm (issue 13 item 5), for
 * diagnosis, not a goal: the storm of bench/storm.ts runs while a 2 ms
 * interval timer on the main thread reads that thread's scheduler figures
 * (/proc/thread-self/schedstat, Linux: time on the CPU and time waiting for
 * one). For every tick more than 10 ms late it adds up how much of the gap
 * the main thread spent working and how much waiting for a core, and it
 * gives the main thread's own work between ticks (p50/p99/max). Echo
 * requests and `?timeout=200` probes run meanwhile, as in the benchmark.
 *
 * Run: `deno run --unstable-worker-options --allow-all bench/storm_where.ts [log|none]`
 * (settings from CAXTON_* variables, e.g. CAXTON_AGENT_WORKER_NICE=0 for an A/B).
 */
import { percentile } from "./_report.ts";
import { startStormNode } from "./storm.ts";

const _TICK_MS = 2;

/** The main thread's time on a CPU and waiting for one, in ms. */
function schedstat(): [onCpu: number, waiting: number] {
  const [run, wait] = Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ");
  return [Number(run) / 1e6, Number(wait) / 1e6];
}

const _f = (a: number[]) =>
  `p50 ${percentile(a, 50).toFixed(1)} p99 ${percentile(a, 99).toFixed(1)} max ${
    Math.max(...a).toFixed(1)
  } (n ${a.length})`;

async function _post(api: string, agent: string, timeoutMs: number) {
  const started = performance.now();
  const res = await fetch(`${api}/agents/${agent}/request?timeout=${timeoutMs}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"content":"hello"}',
  });
  await res.body?.cancel();
  return { ms: performance.now() - started, status: res.status };
}

const messageLog = (Deno.args[0] ?? "log") as "log" | "none";
const { node, config, dataDir } = await startStormNode(messageLog, "caxton-storm-where-");
try {
  const api = `${node.url}/api/v1`;
  node.router.route({ performative: "inform", sender: "ext:where", receiver: ["storm"] });
  while (node.agents.get("storm").counters.handled < 20_000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(
    `messageLog ${messageLog}, agentWorkerNice ${config.scheduling.agentWorkerNice}, load ${
      Deno.loadavg()[0]!.toFixed(1)
    }`,
  );
  for (let round = 0; round < 3; round++) {
    const gaps: number[] = [];
    const ownWork: number[] = [];
    let late = { ticks: 0, onCpu: 0, waiting: 0 };
    let last = performance.now();
    let [lastCpu, lastWait] = schedstat();
    const ticker = setInterval(() => {
      const now = performance.now();
      const [cpu, wait] = schedstat();
      const gap = now - last - _TICK_MS;
      gaps.push(gap);
      ownWork.push(cpu - lastCpu);
      if (gap > 10) {
        late = {
          ticks: late.ticks + 1,
          onCpu: late.onCpu + cpu - lastCpu,
          waiting: late.waiting + wait - lastWait,
        };
      }
      [last, lastCpu, lastWait] = [now, cpu, wait];
    }, _TICK_MS);
    const before = { handled: node.agents.get("storm").counters.handled, at: performance.now() };
    const echo: number[] = [];
    for (let i = 0; i < 600; i++) {
      echo.push((await _post(api, i % 2 ? "echo-same" : "echo-other", 1_000)).ms);
    }
    const lateness: number[] = [];
    const probes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      probes.push(
        _post(api, "storm", 200).then(({ ms, status }) => {
          if (status === 504) lateness.push(ms - 200);
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(probes);
    clearInterval(ticker);
    const rate = (node.agents.get("storm").counters.handled - before.handled) /
      ((performance.now() - before.at) / 1000);
    console.log(
      `round ${round}: echo ${_f(echo)}; 504 lateness ${_f(lateness)}; storm ${
        Math.round(rate)
      } msg/s`,
    );
    console.log(`  tick lateness ${_f(gaps)}; own work between ticks ${_f(ownWork)}`);
    console.log(
      `  ${late.ticks} ticks > 10 ms late: main thread on a CPU ${
        late.onCpu.toFixed(0)
      } ms, waiting for one ${late.waiting.toFixed(0)} ms`,
    );
  }
  await node.agents.remove("storm");
} finally {
  await node.close();
  Deno.removeSync(dataDir, { recursive: true });
}
