/**
 * Child process of the runtime benchmark: RSS per idle agent, as the slope of
 * the process's RSS between 1,000 and 10,000 deployed echo agents, each taken
 * after a forced GC (`--v8-flags=--expose-gc`). Its own process, so that what
 * the parent did before does not decide the sign; a slope, so that fixed
 * costs (workers, binaryen in the preparer, caches) cancel out. Prints one
 * JSON line: `{ slopeBytes, rss1k, rss10k, deployMs }`.
 */
import { startNode } from "../main.ts";
import { defaultConfig } from "../src/config/mod.ts";
import { SILENT_LOGGER } from "../src/telemetry/mod.ts";

const _gc = (globalThis as { gc?: () => void }).gc;
if (!_gc) throw new Error("run with --v8-flags=--expose-gc");
const gc = _gc;

const FIRST = 1_000;
const LAST = 10_000;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Deno.memoryUsage().rss;
}

const dataDir = Deno.makeTempDirSync({ prefix: "caxton-bench-rss-" });
const node = await startNode(
  { ...defaultConfig(), dataDir, port: 0 },
  { serve: false, logger: SILENT_LOGGER },
);
try {
  const echo = Deno.readFileSync(new URL("../build/agents/echo_wat.wasm", import.meta.url));
  const deployUpTo = async (from: number, to: number) => {
    for (let i = from; i < to; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => node.agents.deploy(`idle-${i + j}`, echo)),
      );
    }
  };
  const t0 = performance.now();
  await deployUpTo(0, FIRST);
  const rss1k = await settledRss();
  await deployUpTo(FIRST, LAST);
  const deployMs = performance.now() - t0;
  const rss10k = await settledRss();
  console.log(JSON.stringify({
    slopeBytes: Math.round((rss10k - rss1k) / (LAST - FIRST)),
    rss1k,
    rss10k,
    deployMs,
  }));
} finally {
  await node.close();
  Deno.removeSync(dataDir, { recursive: true });
}
