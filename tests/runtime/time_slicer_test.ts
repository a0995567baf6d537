import assert from "node:assert/strict";
import { TimeSlicer } from "../../src/runtime/time_slicer.ts";

Deno.test("a time slicer lets a due timer run between slices of long work, in order", async () => {
  const slicer = new TimeSlicer(2);
  const order: string[] = [];
  const timer = new Promise<void>((resolve) =>
    setTimeout(() => {
      order.push("timer");
      resolve();
    }, 0)
  );
  let spun = 0;
  const done = Promise.withResolvers<void>();
  // 40 pieces of ~1 ms: far more than one 2 ms slice.
  slicer.run(() => {
    while (spun < 40) {
      if (slicer.expired) return false;
      const end = performance.now() + 1;
      while (performance.now() < end) { /* busy */ }
      spun++;
    }
    order.push("work");
    return true;
  });
  slicer.run(() => {
    order.push("after");
    done.resolve();
    return true;
  });
  await Promise.all([timer, done.promise]);
  assert.deepEqual(order, ["timer", "work", "after"]);
  slicer.close();
});
