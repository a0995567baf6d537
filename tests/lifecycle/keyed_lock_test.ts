import assert from "node:assert/strict";
import { KeyedLock } from "../../src/lifecycle/keyed_lock.ts";

Deno.test("operations on one key run one after another, in order, even after a failure", async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const first = lock.run("a", async () => {
    order.push("first start");
    await gate;
    order.push("first end");
    throw new Error("first failed");
  });
  const second = lock.run("a", () => {
    order.push("second");
    return Promise.resolve(2);
  });
  // Another key is not held up by "a".
  assert.equal(await lock.run("b", () => Promise.resolve("b")), "b");
  assert.deepEqual(order, ["first start"]);
  release();
  await assert.rejects(first, /first failed/);
  assert.equal(await second, 2);
  assert.deepEqual(order, ["first start", "first end", "second"]);
});
