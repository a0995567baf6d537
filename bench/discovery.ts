/**
 * Directory benchmarks.
 *
 * - df_search_p50_us / p99: a search of the directory's index (what the `df`
 *   agent, `GET /api/v1/capabilities` and the CLI all run) with AGENTS agents
 *   registered: each declares one capability out of NAMES (so AGENTS / NAMES
 *   providers per name) with a version and two attributes; each search asks a
 *   name, a version range and an attribute, as an agent asking `df` would.
 *   Providers' state and load are read per search, as the node does, from a
 *   map standing for the agent table (a lookup by name, as `providerStatus`).
 * - df_request_roundtrip_p50_us: a FIPA `request` to `df` on a real node and
 *   its `inform` back, through the router (with the message log on).
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { CapabilityIndex, parseSearch, type ProviderStatus } from "../src/directory/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { median, type Metric, percentile, report } from "./_report.ts";

const AGENTS = 10_000;
const NAMES = 1_000;
const SEARCHES = 20_000;
const ROUNDTRIPS = 2_000;
const RUNS = 3;

function searchRun(): { p50: number; p99: number } {
  const status = new Map<string, ProviderStatus>();
  const index = new CapabilityIndex((agent) => status.get(agent));
  for (let i = 0; i < AGENTS; i++) {
    const agent = `agent-${i}`;
    status.set(agent, { state: i % 10 === 9 ? "stopped" : "running", load: i % 7 });
    index.set(agent, [{
      name: `cap-${i % NAMES}`,
      version: `${1 + (i % 3)}.${i % 5}`,
      attributes: { from: i % 2 ? "en" : "de", to: "fr" },
      cost: i % 11,
    }]);
  }
  const queries = Array.from({ length: 100 }, (_, i) =>
    parseSearch({
      name: `cap-${(i * 37) % NAMES}`,
      version: "^2",
      attributes: { from: "en" },
      limit: 10,
    }));
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const started = performance.now();
    found += index.search(queries[i % queries.length]!).length;
    times.push((performance.now() - started) * 1000);
  }
  if (found === 0) throw new Error("bench discovery: searches found nothing");
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function roundTrip(): Promise<number> {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-df-" });
  const node = await startNode({ ...defaultConfig(), dataDir, port: 0 }, {
    serve: false,
    logger: SILENT_LOGGER,
  });
  try {
    let waiting: (() => void) | undefined;
    using _ = node.router.registerExternal("ext:bench", () => waiting?.());
    const times: number[] = [];
    for (let i = 0; i < ROUNDTRIPS; i++) {
      const started = performance.now();
      await new Promise<void>((resolve) => {
        waiting = resolve;
        node.router.route({
          performative: "request",
          sender: "ext:bench",
          receiver: ["df"],
          content: { action: "search", name: "echo" },
        });
      });
      times.push((performance.now() - started) * 1000);
    }
    return percentile(times, 50);
  } finally {
    await node.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
}

export async function run(): Promise<void> {
  const p50: number[] = [];
  const p99: number[] = [];
  const trips: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = searchRun();
    p50.push(r.p50);
    p99.push(r.p99);
    trips.push(await roundTrip());
  }
  const runs = (values: number[]) =>
    `median of ${RUNS}: ${values.map((v) => v.toFixed(1)).join(", ")}`;
  const metrics: Metric[] = [
    {
      metric: "df_search_p50_us",
      value: Number(median(p50).toFixed(2)),
      unit: "µs",
      goal: "<= 100",
      note: `${AGENTS} agents, ${NAMES} names, name+range+attribute; ${runs(p50)}`,
    },
    {
      metric: "df_search_p99_us",
      value: Number(median(p99).toFixed(2)),
      unit: "µs",
      note: runs(p99),
    },
    {
      metric: "df_request_roundtrip_p50_us",
      value: Number(median(trips).toFixed(1)),
      unit: "µs",
      note: `request to df and its inform, log on; ${runs(trips)}`,
    },
  ];
  report("discovery", metrics);
}
