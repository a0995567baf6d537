/**
 * Agent code stops by wall clock, not only by fuel: whatever fuel budget the
 * API accepts, a spinning agent is stopped at its message's deadline with
 * `deadline_exceeded`, no worker thread is abandoned, and the process's CPU
 * goes back to idle.
 */
import assert from "node:assert/strict";
import process from "node:process";
import {
  FUEL_PER_DEADLINE_MS,
  FUEL_SLICE,
  InvalidLimitError,
  MAX_DEADLINE_MS,
  resolveLimits,
} from "../../src/runtime/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

/** The highest limits a deploy may ask for. */
const HIGHEST = {
  fuelPerMessage: MAX_DEADLINE_MS * FUEL_PER_DEADLINE_MS,
  deadlineMs: MAX_DEADLINE_MS,
};

async function deployOverHttp(api: string, name: string, agent: string, limits: object) {
  const query = Object.entries(limits).map(([key, value]) => `limits.${key}=${value}`).join("&");
  return await fetch(`${api}/agents/${name}?${query}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes(agent),
  });
}

/** The share of one core the whole process used over `ms` of wall clock. */
async function coreShareOver(ms: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}

Deno.test("an agent spinning with the highest limits the API accepts is stopped at its deadline; the CPU goes back to idle; its neighbour keeps answering", async () => {
  await using served = await startApiNode({ workers: 1 });
  const res = await deployOverHttp(served.api, "spinner", "infinite_loop", HIGHEST);
  await res.body?.cancel();
  assert.equal(res.status, 201, "the highest limits are accepted");
  const neighbour = await deployOverHttp(served.api, "neighbour", "echo_wat", {});
  await neighbour.body?.cancel();
  using me = new TestParticipant(served.node);

  const t0 = performance.now();
  const reply = await me.request("spinner", "go", 30_000);
  const tookMs = performance.now() - t0;
  assert.equal(reply.performative, "failure");
  const content = reply.content as { code: string; reason: string };
  assert.equal(content.code, "deadline_exceeded");
  assert.match(content.reason, new RegExp(`deadline of ${MAX_DEADLINE_MS} ms`));
  assert.ok(tookMs >= MAX_DEADLINE_MS, `stopped after ${tookMs} ms, before its deadline`);
  // Stopped by the deadline, not by the watchdog giving up on the thread.
  assert.equal(served.node.pool.status().stuckWorkers, 0);

  // The thread that ran it is idle again: a spinning thread would show as ~1 core.
  const share = await coreShareOver(1_000);
  assert.ok(share < 0.5, `the process used ${(share * 100).toFixed(0)}% of a core after the trap`);
  const echo = await me.request("neighbour", "still there?", 5_000);
  assert.equal(echo.content, "still there?");
  assert.equal(served.node.agents.events("spinner").at(-1)?.kind, "trap");
});

Deno.test("a deploy asking for more fuel than its deadline allows, or a longer deadline than the maximum, is refused with a problem naming the limit", async () => {
  await using served = await startApiNode();
  for (
    const [limits, pattern] of [
      [{ fuelPerMessage: 1e15 }, /fuelPerMessage/],
      [{ fuelPerMessage: 1_000_000_000, deadlineMs: 10 }, /deadlineMs = 10 allows/],
      [{ deadlineMs: MAX_DEADLINE_MS + 1 }, /deadlineMs/],
    ] as const
  ) {
    const res = await deployOverHttp(served.api, "greedy", "echo_wat", limits);
    assert.equal(res.status, 400, JSON.stringify(limits));
    assert.match(res.headers.get("content-type") ?? "", /problem\+json/);
    const problem = await res.json();
    assert.match(problem.detail, pattern);
  }
});

Deno.test("every path of agent code stops at the deadline: start function, caxton_init, and loops of host calls", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 1 });
  using me = new TestParticipant(node);
  const limits = { fuelPerMessage: 100 * FUEL_PER_DEADLINE_MS, deadlineMs: 100 };
  await assert.rejects(
    () => node.agents.deploy("start", agentBytes("start_never_returns"), { limits }),
    /start function failed: deadline_exceeded/,
  );
  await assert.rejects(
    () => node.agents.deploy("init", agentBytes("slow_init"), { limits }),
    /caxton_init: deadline_exceeded/,
  );
  await node.agents.deploy("copier", agentBytes("state_set_spin"), { limits });
  const reply = await me.request("copier", "go", 10_000);
  assert.equal((reply.content as { code: string }).code, "deadline_exceeded");
  // Each call moves 64 KiB for a few units of fuel: it was the host call's own
  // check that stopped it, long before a fuel slice ran out.
  await until(() => node.agents.get("copier").counters.failed === 1, "the failure counted");
  assert.ok(node.agents.get("copier").counters.fuelUsed < FUEL_SLICE);
  assert.equal(node.pool.status().stuckWorkers, 0);
});

Deno.test("limits refuse fuel the deadline could not let an agent burn", () => {
  assert.throws(
    () => resolveLimits({ fuelPerMessage: 2 * FUEL_PER_DEADLINE_MS, deadlineMs: 1 }),
    (e: unknown) => e instanceof InvalidLimitError && /raise deadlineMs/.test(e.message),
  );
});
