import assert from "node:assert/strict";
import {
  AGENT_STATES,
  assertTransition,
  canTransition,
  IllegalTransitionError,
} from "../../src/lifecycle/mod.ts";

Deno.test("the lifecycle path Unloaded → Loaded → Running → Draining → Stopped is legal", () => {
  const path = ["unloaded", "loaded", "running", "draining", "stopped"] as const;
  for (let i = 1; i < path.length; i++) assert.ok(canTransition(path[i - 1]!, path[i]!));
});

Deno.test("every live state may fail, and a stopped or failed agent may load again", () => {
  for (const s of ["loaded", "running", "draining"] as const) assert.ok(canTransition(s, "failed"));
  assert.ok(canTransition("stopped", "loaded"));
  assert.ok(canTransition("failed", "loaded"));
});

Deno.test("illegal moves are refused in the user's words, the states kept as data", () => {
  assert.throws(
    () => assertTransition("echo", "stopped", "running"),
    (e: unknown) =>
      e instanceof IllegalTransitionError &&
      e.message === 'Cannot start agent "echo": it is stopped' &&
      e.from === "stopped" && e.to === "running",
  );
  assert.throws(
    () => assertTransition("echo", "unloaded", "running"),
    /Cannot start agent "echo": it is unloaded \(not deployed\); deploy it first/,
  );
  assert.ok(!canTransition("unloaded", "running"));
  assert.ok(!canTransition("running", "stopped"));
  assert.ok(!canTransition("running", "running"));
  assert.equal(AGENT_STATES.length, 6);
});
