import assert from "node:assert/strict";
import { Deadlines } from "../../src/outside/deadlines.ts";
import { until } from "../_support/node.ts";

Deno.test("items expire after their own duration, in order; a deleted item never expires", async () => {
  const expired: string[] = [];
  const started = performance.now();
  const at = new Map<string, number>();
  const deadlines = new Deadlines<string>((item) => {
    expired.push(item);
    at.set(item, performance.now() - started);
  });
  deadlines.add("a", 30);
  deadlines.add("answered", 30);
  deadlines.add("b", 30);
  deadlines.add("short", 10);
  deadlines.add("late", 60);
  deadlines.delete("answered", 30);
  await until(() => expired.length === 4, "four expiries");
  assert.deepEqual(expired, ["short", "a", "b", "late"]);
  assert.ok(at.get("a")! >= 30 && at.get("late")! >= 60, JSON.stringify([...at]));
  // Added while its lane fires: one timer, no leak (the sanitizer would say so).
  deadlines.add("again", 5);
  await until(() => expired.at(-1) === "again", "a re-used lane expires again");
});
