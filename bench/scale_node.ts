/**
 * Child process of the scale benchmark (issue 21), run fresh with
 * `--v8-flags=--expose-gc`. `measure <dataDir> <agents>`: bulk-deploys echo
 * agents through the API up to `agents`, measuring deploy rate, RSS per
 * passivated agent (slope from 10% to 100% of them after forced GC),
 * /metrics size, a page of the listing, the first message to passivated
 * agents, and RSS per active agent (slope as they are activated).
 * `deploy <dataDir> <agents>`: only bulk-deploys them.
 * `restart <dataDir>`: time from startNode to the first 200 of /ready (and
 * how many deliveries its log holds).
 * Prints one JSON line.
 */
import { startNode } from "../main.ts";
import { defaultConfig, defaultScaleConfig } from "../src/config/mod.ts";
import { maxLiveInstances } from "../src/lifecycle/mod.ts";
import type { AclMessage } from "../src/acl/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { percentile } from "./_report.ts";

const _gc = (globalThis as { gc?: () => void }).gc;
if (!_gc) throw new Error("run with --v8-flags=--expose-gc");
const gc = _gc;

const [mode, dataDir, countText] = Deno.args;
const config = {
  ...defaultConfig(),
  dataDir: dataDir!,
  port: 0,
  // Nothing is passivated while it is measured: the bench decides who is active.
  scale: { ...defaultScaleConfig(), passivateAfterMs: 3_600_000 },
};

/** Kernel memory maps of this process (each live instance's memory takes two). */
const mapCount = () => Deno.readTextFileSync("/proc/self/maps").split("\n").length - 1;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Deno.memoryUsage().rss;
}

if (mode === "restart") {
  // To the first 200 of /ready: the node's own start and what /ready reads (counts by state).
  const t0 = performance.now();
  const node = await startNode(config, { serve: true, logger: SILENT_LOGGER });
  const ready = await fetch(`${node.url}/ready`);
  await ready.body?.cancel();
  const readyMs = performance.now() - t0;
  const adopted = node.agents.adopted();
  const logged = node.store.messages.lastId();
  console.log(JSON.stringify({ readyMs, status: ready.status, adopted, logged }));
  await node.close();
  Deno.exit(0);
}

const agents = Number(countText);
const tenth = Math.round(agents / 10);
const node = await startNode(config, { serve: true, logger: SILENT_LOGGER });
const api = `${node.url}/api/v1`;
const echo = Deno.readFileSync(new URL("../build/agents/echo_wat.wasm", import.meta.url));

async function bulk(from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 10_000) {
    const form = new FormData();
    form.set("module", new File([echo], "echo.wasm"));
    const n = Math.min(10_000, from + count - start);
    form.set("agents", JSON.stringify({ pattern: "s-{n}", count: n, start }));
    const res = await fetch(`${api}/agents`, { method: "PUT", body: form });
    if (res.status !== 201) throw new Error(`bulk deploy: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  }
}

if (mode === "deploy") {
  // Only the agents, for a restart to be timed on (a smaller node beside the measured one).
  await bulk(0, agents);
  await node.close();
  console.log(JSON.stringify({ agents }));
  Deno.exit(0);
}

// The module's first build (metering) is a one-time cost of any deploy: made before the clock.
await bulk(0, 1);
const rssTenth = await settledRss();
const t0 = performance.now();
await bulk(1, tenth - 1);
const firstMs = performance.now() - t0;
const rssBase = await settledRss();
const t1 = performance.now();
await bulk(tenth, agents - tenth);
const deployMs = performance.now() - t1 + firstMs;
const rssAll = await settledRss();

const metricsBytes = (await (await fetch(`${node.url}/metrics`)).arrayBuffer()).byteLength;

const listMs: number[] = [];
for (let i = 0; i < 50; i++) {
  const after = `s-${Math.floor(Math.random() * agents)}`;
  const t = performance.now();
  const res = await fetch(`${api}/agents?limit=100&after=${after}`);
  await res.arrayBuffer();
  listMs.push(performance.now() - t);
}

// One outside participant: a request to a passivated agent, timed to its answer.
const waiting = new Map<string, (m: AclMessage) => void>();
const me = node.router.registerExternal("ext:bench", (m) => {
  waiting.get(m.inReplyTo ?? "")?.(m);
});
const ask = (agent: string, id: string) =>
  new Promise<AclMessage>((resolve) => {
    waiting.set(id, resolve);
    node.router.route({
      performative: "request",
      sender: "ext:bench",
      receiver: [agent],
      content: "hi",
      replyWith: id,
    });
  });
await ask("s-0", "warm-up");
const warmMs: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await ask("s-0", `w${i}`);
  warmMs.push(performance.now() - t);
}
const firstMessageMs: number[] = [];
for (let i = 0; i < 1_000; i++) {
  const t = performance.now();
  await ask(`s-${i * 97 % agents}`, `f${i}`);
  firstMessageMs.push(performance.now() - t);
}

// Active agents: RSS slope from a tenth of the agents to the target active (a message each).
const activeTarget = Number(Deno.env.get("SCALE_ACTIVE") ?? agents);
const activateUpTo = async (from: number, to: number) => {
  for (let i = from; i < to; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, to - i) }, (_, j) => ask(`s-${i + j}`, `a${i + j}`)),
    );
  }
};
const activeStart = activeTarget > tenth ? tenth : Math.round(activeTarget / 10);
await activateUpTo(0, activeStart);
const rssActiveBase = await settledRss();
const activeBase = node.agents.activity().active;
const mapsBase = mapCount();
const ta = performance.now();
await activateUpTo(activeStart, activeTarget);
const activateMs = performance.now() - ta;
const rssActiveAll = await settledRss();
const activeAll = node.agents.activity().active;
const mapsAll = mapCount();
// The bench stays under the node's live-instance limit: none was passivated to make room.
const limited = node.agents.activity().instanceLimitPassivations;
me[Symbol.dispose]();
await node.close();
console.log(JSON.stringify({
  agents,
  deployMs,
  rssTenth,
  rssBase,
  rssAll,
  passiveSlope: (rssAll - rssBase) / (agents - tenth),
  metricsBytes,
  listP50: percentile(listMs, 50),
  firstP50: percentile(firstMessageMs, 50),
  firstP99: percentile(firstMessageMs, 99),
  warmP50: percentile(warmMs, 50),
  warmP99: percentile(warmMs, 99),
  activeBase,
  activeAll,
  rssActiveBase,
  rssActiveAll,
  activeSlope: (rssActiveAll - rssActiveBase) / (activeAll - activeBase),
  activateMs,
  mapsPerInstance: (mapsAll - mapsBase) / (activeAll - activeBase),
  maxLive: maxLiveInstances(0),
  limited,
}));
Deno.exit(0);
