import assert from "node:assert/strict";
import { Mailbox } from "../../src/router/mod.ts";
import type { AgentRecord } from "../../src/store/mod.ts";
import type { LiveAgent } from "../../src/lifecycle/live_agent.ts";
import { countTrap } from "../../src/lifecycle/trap_window.ts";

function running(maxTraps: number, trapWindowMs: number): LiveAgent {
  const record = {
    name: "t",
    state: "running",
    limits: { maxTraps, trapWindowMs },
  } as unknown as AgentRecord;
  return {
    record,
    mailbox: new Mailbox("t"),
    module: null,
    instanceId: null,
    members: null,
    accepting: true,
    trapTimes: [],
    counters: { handled: 0, failed: 0, traps: 0, fuelUsed: 0, sent: 0 },
    activating: null,
    seenActivity: 0,
    idleSince: -1,
  };
}

Deno.test("maxTraps traps within the window fail the agent; older ones fall out of it", () => {
  const live = running(3, 1_000);
  assert.equal(countTrap(live, "a", 0), undefined);
  assert.equal(countTrap(live, "b", 100), undefined);
  // The first trap is out of the window by now: still two.
  assert.equal(countTrap(live, "c", 1_050), undefined);
  assert.equal(countTrap(live, "d", 1_090), "3 traps within 1000 ms; last: d");
  assert.equal(live.counters.traps, 4);
});

Deno.test("a trap of an agent that is no longer running only counts", () => {
  const live = running(1, 1_000);
  live.record = { ...live.record, state: "draining" };
  assert.equal(countTrap(live, "late", 0), undefined);
  assert.equal(live.counters.traps, 1);
});
