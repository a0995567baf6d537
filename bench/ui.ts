/**
 * Dashboard benchmarks (issue 19), in Debian's chromium driven headless by
 * playwright-core against a node served by this process over loopback.
 *
 * - ui_bundle_kb: every file of the dashboard (index.html, app.js, app.css,
 *   tail_worker.js), gzip-compressed, in KB.
 * - ui_first_paint_ms: navigation start to the first contentful paint of
 *   /ui (Paint Timing API), in a fresh browser context each run (no cache);
 *   median of RUNS. ui_ready_ms beside it: to the Overview's heading drawn
 *   by the app.
 * - ui_long_tasks_per_s: main-thread tasks over 50 ms (PerformanceObserver
 *   "longtask", observed from before the page's scripts run) per second on
 *   the Messages page while the node routes TAIL_RATE messages a second that
 *   its live tail streams to the page; ui_tail_msgs_per_s is what the page
 *   counted arriving.
 */
import { gzipSync } from "node:zlib";
import { median, type Metric, report } from "./_report.ts";
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { launchBrowser } from "../tests/_support/browser.ts";

const RUNS = 5;
const TAIL_RATE = 10_000;
const TAIL_SECONDS = Number(Deno.env.get("BENCH_UI_SECONDS") ?? 10);

export async function run(): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "caxton-bench-ui-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, workers: 1 },
    { logger: SILENT_LOGGER },
  );
  try {
    await using b = await launchBrowser();
    const metrics: Metric[] = [];

    let bytes = 0;
    for (const file of ["ui", "ui/app.js", "ui/app.css", "ui/tail_worker.js"]) {
      const body = new Uint8Array(await (await fetch(`${node.url}/${file}`)).arrayBuffer());
      bytes += gzipSync(body).byteLength;
    }
    metrics.push({ metric: "ui_bundle_kb", value: bytes / 1024, unit: "KB", goal: "≤ 150" });

    const paints: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await b.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${node.url}/ui`);
      await page.locator("#overview-title").waitFor();
      ready.push(await page.evaluate("performance.now()") as number);
      paints.push(
        await page.evaluate(
          `new Promise((done) => new PerformanceObserver((list) => {
            const fcp = list.getEntries().find((e) => e.name === "first-contentful-paint");
            if (fcp) done(fcp.startTime);
          }).observe({ type: "paint", buffered: true }))`,
        ) as number,
      );
      await context.close();
    }
    metrics.push({
      metric: "ui_first_paint_ms",
      value: median(paints),
      unit: "ms",
      goal: "≤ 1,000",
      note: `median of ${RUNS}, ${Math.min(...paints).toFixed(0)}–${
        Math.max(...paints).toFixed(0)
      }`,
    });
    metrics.push({
      metric: "ui_ready_ms",
      value: median(ready),
      unit: "ms",
      note: `to the app's first page; ${Math.min(...ready).toFixed(0)}–${
        Math.max(...ready).toFixed(0)
      }`,
    });

    metrics.push(...await _tailUnderLoad(node, b));
    report("ui", metrics);
  } finally {
    await node.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function _tailUnderLoad(
  node: Awaited<ReturnType<typeof startNode>>,
  b: Awaited<ReturnType<typeof launchBrowser>>,
): Promise<Metric[]> {
  // Two outside participants: the load costs the router and log, not an agent's handling.
  using _sink = node.router.registerExternal("ext:sink", () => {});
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
  await page.evaluate("globalThis.__longTasks.length = 0");
  const seenBefore = await seen();
  // 100 messages every 10 ms, paced by the clock so a slow tick is caught up.
  const perTick = TAIL_RATE / 100;
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * TAIL_RATE);
    for (; sent < due; sent++) {
      node.router.route({
        performative: "inform",
        sender: "ext:bench",
        receiver: ["ext:sink"],
        content: { n: sent, text: "a message of ordinary size for the tail" },
        conversationId: `c-${sent % 1000}`,
      });
    }
  }, 10);
  await new Promise((r) => setTimeout(r, TAIL_SECONDS * 1000));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const longTasks = await page.evaluate("globalThis.__longTasks") as number[];
  const arrived = (await seen()) - seenBefore;
  await page.close();
  return [
    {
      metric: "ui_long_tasks_per_s",
      value: longTasks.length / seconds,
      unit: "/s",
      goal: "≤ 2",
      note: `${longTasks.length} in ${seconds.toFixed(1)} s, longest ${
        Math.max(0, ...longTasks).toFixed(0)
      } ms, ${perTick} msgs per 10 ms`,
    },
    {
      metric: "ui_tail_msgs_per_s",
      value: Math.round(arrived / seconds),
      unit: "msg/s",
      note: `routed ${Math.round(sent / seconds)}/s; the page counted what reached it`,
    },
  ];
}
