import assert from "node:assert/strict";
import { SaturationWatch } from "../../src/lifecycle/saturation.ts";
import { sleep, until } from "../_support/node.ts";

/** Keeps this thread busy in 80 ms tasks, with a timer turn between them, for `ms`. */
async function hog(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const task = performance.now() + 80;
    while (performance.now() < task) { /* the main thread is busy */ }
    await new Promise((r) => setTimeout(r, 0));
  }
}

Deno.test("the event loop lagging for saturationMs is reported, and clears once it keeps time", async () => {
  const watch = new SaturationWatch({ sample: () => [], backlog: 10, forMs: 300, maxLagMs: 30 });
  try {
    await sleep(100);
    assert.equal(watch.eventLoopLag(), null, "an idle loop keeps time");
    await hog(200);
    assert.equal(watch.eventLoopLag(), null, "late for less than forMs is not yet lagging");
    await hog(400);
    const lag = watch.eventLoopLag();
    assert.ok(lag, "late at every look for longer than forMs");
    assert.ok(lag.lagMs >= 30 && lag.forMs >= 300, JSON.stringify(lag));
    await until(() => watch.eventLoopLag() === null, "the lag to clear");
  } finally {
    watch.close();
  }
});

Deno.test("maxLagMs 0 does not watch the event loop", async () => {
  const watch = new SaturationWatch({ sample: () => [], backlog: 10, forMs: 50, maxLagMs: 0 });
  try {
    await hog(200);
    assert.equal(watch.eventLoopLag(), null);
  } finally {
    watch.close();
  }
});
