/**
 * The dashboard's live tail under a stated rate of agent-to-agent traffic
 * (issue 19: "with a 10,000 msg/s tail running, the page stays responsive").
 *
 * Load: SOURCES flooder agents (tests/fixtures/agents/flooder.ts) each send
 * their sink agent the informs a pacer asks for every TICK_MS, so the node
 * is offered RATE msg/s of agent → agent messages whatever the tail does.
 * The pacer holds back while more than a second of traffic is unhandled:
 * the backlog stays bounded, and a node that cannot keep up shows as a
 * handled rate under RATE instead of a growing queue.
 *
 * Three windows under the same offered rate tell who limits the tail:
 * - ui_routed_no_tail_msgs_per_s: handled with nothing tailing (the node alone);
 * - ui_tail_sse_msgs_per_s: `message` events a plain SSE client (curl, its
 *   own process) received from /api/v1/messages/tail (the SSE path, no page);
 * - with the Messages page open: ui_tail_msgs_per_s as the page counted it,
 *   ui_tail_routed_msgs_per_s handled meanwhile, ui_long_tasks_per_s main-
 *   thread tasks over 50 ms.
 * Every figure counts deliveries: the informs plus, per tick and source, the
 * pacer's request and the flooder's summary.
 */
import type { Metric } from "./_report.ts";
import type { startNode } from "../main.ts";
import type { launchBrowser } from "../tests/_support/browser.ts";
import { cpuSeconds } from "./proc_cpu.ts";

type _Node = Awaited<ReturnType<typeof startNode>>;
type _Browser = Awaited<ReturnType<typeof launchBrowser>>;

const FLOODER = new URL("../build/agents/flooder_as.wasm", import.meta.url).pathname;
const SOURCES = 4;
const TICK_MS = 100;
const CHUNK = 200;
/** The offered rate of informs, msg/s. */
const RATE = Number(Deno.env.get("BENCH_UI_RATE") ?? 10_000);
const TAIL_SECONDS = Number(Deno.env.get("BENCH_UI_SECONDS") ?? 10);
const WINDOW_SECONDS = 5;
const WARMUP_MS = 1_500;

const _sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Offers RATE informs a second until stopped; holds back while a second's worth is unhandled. */
function _pace(node: _Node, handled: () => number): { stop(): void } {
  const started = performance.now();
  let asked = 0;
  let requests = 0;
  let next = 0;
  const timer = setInterval(() => {
    const due = Math.round((RATE * (performance.now() - started)) / 1000) - asked;
    // Each request and summary is a delivery too: 2 per request sent.
    if (due <= 0 || asked + 2 * requests - handled() > RATE) return;
    // Catching up at most twice a tick's share, in requests of at most CHUNK informs: a
    // flooder sends ~250 within its default fuel per message.
    let left = Math.min(due, (2 * RATE * TICK_MS) / 1000);
    while (left > 0) {
      const i = next++ % SOURCES;
      const n = Math.min(left, CHUNK);
      node.router.route({
        performative: "request",
        sender: `sink-${i}`,
        receiver: [`source-${i}`],
        content: `${n} sink-${i}`,
      });
      requests++;
      asked += n;
      left -= n;
    }
  }, TICK_MS);
  return { stop: () => clearInterval(timer) };
}

/**
 * Deliveries handled per second over `seconds`, with `during` sampled at the same ends, and
 * the CPU (cores) this process (the node) and its children (browser, curl) used meanwhile.
 */
async function _window<T>(
  handled: () => number,
  seconds: number,
  during: () => Promise<T>,
) {
  const [h0, before, c0, t0] = [handled(), await during(), cpuSeconds(), performance.now()];
  await _sleep(seconds * 1000);
  const [h1, after, c1] = [handled(), await during(), cpuSeconds()];
  const took = (performance.now() - t0) / 1000;
  const cpu = `node ${((c1.self - c0.self) / took).toFixed(2)} cores, its children ${
    ((c1.children - c0.children) / took).toFixed(2)
  }`;
  return { rate: Math.round((h1 - h0) / took), seconds: took, before, after, cpu };
}

export async function tailUnderLoad(node: _Node, b: _Browser): Promise<Metric[]> {
  const wasm = Deno.readFileSync(FLOODER);
  const names: string[] = [];
  for (let i = 0; i < SOURCES; i++) names.push(`source-${i}`, `sink-${i}`);
  for (const name of names) await node.agents.deploy(name, wasm);
  const handled = () => names.reduce((n, name) => n + node.agents.get(name).counters.handled, 0);
  const pacer = _pace(node, handled);
  try {
    await _sleep(WARMUP_MS);
    const sse = await _sseWindow(node, handled);
    const page = await _pageWindow(node, b, handled);
    // Last, with the agents warm as in the other two: no tail registered once the page closed.
    await _sleep(WARMUP_MS);
    const alone = await _window(handled, WINDOW_SECONDS, () => Promise.resolve(0));
    const failed = names.filter((name) => node.agents.get(name).state !== "running");
    if (failed.length > 0) throw new Error(`bench ui: ${failed.join(", ")} stopped running`);
    const goal = `${RATE.toLocaleString("en")} offered`;
    return [
      {
        metric: "ui_long_tasks_per_s",
        value: page.longTasks.length / page.seconds,
        unit: "/s",
        goal: "≤ 2",
        note: `${page.longTasks.length} in ${page.seconds.toFixed(1)} s, longest ${
          Math.max(0, ...page.longTasks).toFixed(0)
        } ms`,
      },
      {
        metric: "ui_tail_msgs_per_s",
        value: page.counted,
        unit: "msg/s",
        goal: `≥ ${goal}`,
        note: "counted by the Messages page's tail",
      },
      {
        metric: "ui_tail_routed_msgs_per_s",
        value: page.rate,
        unit: "msg/s",
        note: `handled meanwhile; ${page.cpu} (browser)`,
      },
      {
        metric: "ui_tail_sse_msgs_per_s",
        value: sse.received,
        unit: "msg/s",
        note: `a plain SSE client (curl), no page; ${sse.rate} handled; ${sse.cpu}`,
      },
      {
        metric: "ui_routed_no_tail_msgs_per_s",
        value: alone.rate,
        unit: "msg/s",
        note: `nothing tailing, same ${goal}; ${alone.cpu}`,
      },
    ];
  } finally {
    pacer.stop();
  }
}

/** The tail read by curl into a file: `message` events received over the window. */
async function _sseWindow(node: _Node, handled: () => number) {
  const file = await Deno.makeTempFile({ prefix: "caxton-bench-tail-", suffix: ".sse" });
  const curl = new Deno.Command("curl", {
    args: ["-sN", "-o", file, `${node.url}/api/v1/messages/tail`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await _sleep(WARMUP_MS);
    const size = async () => (await Deno.stat(file)).size;
    const w = await _window(handled, WINDOW_SECONDS, size);
    const bytes = new Uint8Array(w.after - w.before);
    using f = await Deno.open(file);
    await f.seek(w.before, Deno.SeekMode.Start);
    let read = 0;
    while (read < bytes.length) read += (await f.read(bytes.subarray(read))) ?? bytes.length;
    const events = new TextDecoder().decode(bytes).split("event: message\n").length - 1;
    return { rate: w.rate, received: Math.round(events / w.seconds), cpu: w.cpu };
  } finally {
    curl.kill("SIGTERM");
    await curl.status;
    await Deno.remove(file);
  }
}

/** The Messages page open on the tail: what it counted, long tasks, and handled meanwhile. */
async function _pageWindow(node: _Node, b: _Browser, handled: () => number) {
  const page = await b.page();
  await page.addInitScript(`
    globalThis.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  `);
  await page.goto(`${node.url}/ui#/messages`);
  await page.locator("[data-tail=open]").waitFor();
  const seen = async () =>
    Number(
      (await page.locator("[data-tail]").textContent())?.match(/(\d+) messages/)?.[1] ?? 0,
    );
  await _sleep(WARMUP_MS);
  await page.evaluate("globalThis.__longTasks.length = 0");
  const w = await _window(handled, TAIL_SECONDS, seen);
  const longTasks = await page.evaluate("globalThis.__longTasks") as number[];
  await page.close();
  return {
    rate: w.rate,
    cpu: w.cpu,
    seconds: w.seconds,
    counted: Math.round((w.after - w.before) / w.seconds),
    longTasks,
  };
}
