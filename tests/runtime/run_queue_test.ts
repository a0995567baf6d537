import assert from "node:assert/strict";
import type { QueuedDelivery } from "../../src/runtime/direct_router.ts";
import { RunQueue } from "../../src/runtime/run_queue.ts";

const item = (instanceId: number, n: number, seq = 0): QueuedDelivery => ({
  instanceId,
  seq,
  text: `${instanceId}:${n}`,
  traceparent: undefined,
});

function drain(queue: RunQueue): string[] {
  const out: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) out.push(next.text);
  return out;
}

Deno.test("the run queue serves instances in turn, each in its own order", () => {
  const queue = new RunQueue();
  for (let n = 0; n < 1_000; n++) queue.push(item(1, n));
  queue.push(item(2, 0));
  queue.push(item(2, 1));
  assert.equal(queue.size, 1_002);
  const out = drain(queue);
  // Instance 2 arrived behind a thousand of instance 1's and still comes second and fourth.
  assert.deepEqual(out.slice(0, 5), ["1:0", "2:0", "1:1", "2:1", "1:2"]);
  assert.deepEqual(
    out.filter((t) => t.startsWith("1:")),
    [...Array(1_000)].map((_, n) => `1:${n}`),
  );
  assert.equal(queue.size, 0);
});

Deno.test("removing an instance's direct deliveries keeps those from the main thread, in order", () => {
  const queue = new RunQueue();
  queue.push(item(1, 0, 0));
  queue.push(item(1, 1, 7));
  queue.push(item(1, 2, 0));
  queue.push(item(2, 0, 0));
  assert.deepEqual(queue.removeDirect(1).map((d) => d.text), ["1:0", "1:2"]);
  assert.equal(queue.size, 2);
  assert.deepEqual(drain(queue), ["1:1", "2:0"]);
});
