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
 * - ui_long_tasks_per_s, ui_tail_*: the Messages page's live tail under a
 *   stated rate of agent-to-agent traffic (bench/ui_tail.ts).
 */
import { gzipSync } from "node:zlib";
import { median, type Metric, report } from "./_report.ts";
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";
import { launchBrowser } from "../tests/_support/browser.ts";
import { tailUnderLoad } from "./ui_tail.ts";

const RUNS = 5;

export async function run(): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "caxton-bench-ui-" });
  const node = await startNode(
    { ...defaultConfig(), dataDir, port: 0, mailboxCapacity: 100_000 },
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

    metrics.push(...await tailUnderLoad(node, b));
    report("ui", metrics);
  } finally {
    await node.pool.close(); // a backlog may be left: stop the workers first
    await node.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}
