/**
 * The hostile corpus: each module is contained or rejected with a clear
 * reason, while a neighbour agent in the same worker keeps answering.
 */
import assert from "node:assert/strict";
import { AgentLoadError, ModuleRejectedError } from "../../src/runtime/mod.ts";
import { INSTANCE_LIMITS } from "../../src/runtime/instance_limits.ts";
import { prepareModule } from "../../src/runtime/prepare.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";
import { wat } from "../_support/wat.ts";

async function withNeighbour(
  fn: (ctx: {
    node: Awaited<ReturnType<typeof startTestNode>>;
    me: TestParticipant;
    neighbourAnswers: () => Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  using dir = tempDataDir();
  // One worker: the hostile agent and its neighbour share a thread.
  await using node = await startTestNode({ dataDir: dir.path, workers: 1 });
  using me = new TestParticipant(node);
  await node.agents.deploy("neighbour", agentBytes("echo_wat"));
  const neighbourAnswers = async () => {
    const reply = await me.request("neighbour", "still there?", 5_000);
    assert.equal(reply.content, "still there?");
  };
  await fn({ node, me, neighbourAnswers });
  await neighbourAnswers();
}

async function assertContained(module: string, reason: RegExp): Promise<void> {
  await withNeighbour(async ({ node, me, neighbourAnswers }) => {
    await node.agents.deploy("hostile", agentBytes(module));
    assert.equal(node.agents.get("hostile").worker, node.agents.get("neighbour").worker);
    const reply = await me.request("hostile", "go", 10_000);
    assert.equal(reply.performative, "failure");
    assert.match(JSON.stringify(reply.content), reason);
    await neighbourAnswers();
    const events = node.agents.events("hostile");
    assert.equal(events.at(-1)?.kind, "trap");
    assert.match(events.at(-1)!.detail, reason);
  });
}

async function assertRejected(
  module: string | Uint8Array,
  code: string,
  reason: RegExp,
  limits: Record<string, number> = {},
): Promise<void> {
  await withNeighbour(async ({ node }) => {
    const bytes = typeof module === "string" ? agentBytes(module) : module;
    await assert.rejects(
      () => node.agents.deploy("hostile", bytes, { limits }),
      (e: unknown) => e instanceof ModuleRejectedError && e.code === code && reason.test(e.message),
    );
  });
}

Deno.test("an infinite loop runs out of fuel; its neighbour keeps answering", () =>
  assertContained("infinite_loop", /fuel exhausted/));

Deno.test("deep recursion is stopped; its neighbour keeps answering", () =>
  assertContained("deep_recursion", /stack overflow|fuel exhausted/));

Deno.test("a memory bomb stops at the memory cap; its neighbour keeps answering", async () => {
  await withNeighbour(async ({ node, me }) => {
    await node.agents.deploy("hostile", agentBytes("memory_bomb"), { limits: { memoryPages: 32 } });
    const reply = await me.request("hostile", "go", 10_000);
    // Contained either way: the agent sees memory.grow fail and gives up (failure to us).
    assert.equal(reply.performative, "failure");
  });
});

Deno.test("a forbidden import is rejected, naming the import", () =>
  assertRejected("forbidden_import", "forbidden_import", /wasi_snapshot_preview1.*fd_write/));

Deno.test("an oversized module is rejected before it is parsed", () =>
  assertRejected("oversized", "module_too_large", /bytes/));

Deno.test("invalid bytes are rejected", () =>
  assertRejected("invalid_bytes", "invalid_module", /./));

Deno.test("a module without caxton_handle is rejected, naming the export", () =>
  assertRejected("missing_exports", "missing_export", /caxton_handle/));

Deno.test("a module declaring more memory than its cap is rejected", () =>
  assertRejected("big_memory", "memory_too_large", /1024/));

Deno.test("a start function that never returns fails the load, not the node", async () => {
  await withNeighbour(async ({ node }) => {
    await assert.rejects(
      () => node.agents.deploy("hostile", agentBytes("start_never_returns")),
      (e: unknown) => e instanceof AgentLoadError && /start function/.test(e.message),
    );
    // A failed first deploy leaves nothing behind (issue 13).
    assert.deepEqual(node.agents.list().map((a) => a.name), ["neighbour"]);
  });
});

Deno.test("a caxton_init that never returns fails the load with the reason", async () => {
  await withNeighbour(async ({ node }) => {
    await assert.rejects(
      () => node.agents.deploy("hostile", agentBytes("slow_init")),
      /caxton_init.*fuel exhausted/,
    );
  });
});

Deno.test("a trap fails one message; the agent keeps serving; repeated traps move it to Failed", async () => {
  await withNeighbour(async ({ node, me }) => {
    await node.agents.deploy("flaky", agentBytes("trap_once"), { limits: { maxTraps: 3 } });
    const boom = await me.request("flaky", "boom");
    assert.equal(boom.performative, "failure");
    assert.match(JSON.stringify(boom.content), /unreachable/);
    assert.equal((await me.request("flaky", "fine")).content, "fine");
    await me.request("flaky", "boom");
    await me.request("flaky", "boom");
    const view = node.agents.get("flaky");
    assert.equal(view.state, "failed");
    assert.match(view.failure ?? "", /3 traps within/);
    assert.equal(node.agents.events("flaky").filter((e) => e.kind === "trap").length, 3);
    const refused = await me.request("flaky", "fine");
    assert.equal(refused.performative, "failure");
  });
});

Deno.test("fuel per message is deterministic", async () => {
  await withNeighbour(async ({ node, me }) => {
    await node.agents.deploy("counter", agentBytes("counter_wat"));
    await me.request("counter", "a");
    const first = node.agents.get("counter").counters.fuelUsed;
    await me.request("counter", "b");
    const second = node.agents.get("counter").counters.fuelUsed - first;
    assert.ok(first > 0);
    assert.equal(second, first);
  });
});

Deno.test("a worker that stops answering is replaced and its agents restarted, with the event recorded", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 1, watchdogMs: 300 });
  using me = new TestParticipant(node);
  await node.agents.deploy("neighbour", agentBytes("counter_wat"));
  assert.equal((await me.request("neighbour", "x")).content, "1");
  // Fuel for ~1.7 s of spinning: it outlives the 300 ms watchdog, then ends by itself.
  await node.agents.deploy("spinner", agentBytes("infinite_loop"), {
    limits: { fuelPerMessage: 1_500_000_000 },
  });
  const reply = await me.request("spinner", "go", 10_000);
  assert.equal(reply.performative, "failure");
  assert.match(JSON.stringify(reply.content), /stopped answering/);
  assert.equal(node.pool.status().stuckWorkers, 1);
  assert.equal(node.agents.events("neighbour").at(-1)?.kind, "watchdog");
  // The neighbour lives on in a fresh worker, state intact.
  assert.equal((await me.request("neighbour", "x")).content, "2");
});

// --- What a module makes the host allocate besides linear memory -------------

/** An ABI v1 agent with `extra` WAT inside its module. */
function agentWith(extra: string): Uint8Array {
  return wat(`(module
    (memory (export "memory") 1)
    ${extra}
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);
}

Deno.test("a 10-million-entry table is refused at deploy, naming the limit", () =>
  assertRejected(
    "huge_table",
    "table_too_large",
    /10000000, over the limit of 100000.*tableEntries/,
  ));

Deno.test("a table that may grow to 10 million entries is refused at deploy", () =>
  assertRejected("growable_table", "table_too_large", /may grow to entries: 10000000/));

Deno.test("a table's entries count against the agent's memory cap", async () => {
  // 50,000 entries take 19 pages of host memory (24 bytes each).
  const table = agentWith("(table 50000 funcref)");
  await assertRejected(table, "memory_too_large", /tables and globals take 19 pages.*16 pages/, {
    memoryPages: 16,
  });
  const prepared = await prepareModule(table, {
    memoryCapPages: 64,
    initialFuel: 1_000n,
    maxModuleBytes: 1 << 20,
  });
  assert.equal(prepared.memoryMaxPages, 64 - 19, "linear memory gets what the table leaves");
});

Deno.test("too many globals, functions, element or data segments are refused, naming the limit", async () => {
  const many = (count: number, item: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => item(i)).join("\n");
  const cases: [string, string][] = [
    ["globals", many(INSTANCE_LIMITS.globals + 1, () => "(global i32 (i32.const 0))")],
    ["functions", many(INSTANCE_LIMITS.functions + 1, () => "(func)")],
    [
      "elementSegments",
      `(table 1 funcref) (func $f) ${
        many(INSTANCE_LIMITS.elementSegments + 1, () => "(elem (i32.const 0) $f)")
      }`,
    ],
    ["dataSegments", many(INSTANCE_LIMITS.dataSegments + 1, () => `(data (i32.const 0) "")`)],
  ];
  for (const [limit, extra] of cases) {
    await assertRejected(agentWith(extra), "too_many_definitions", new RegExp(`\\(${limit}\\)`));
  }
});

// --- Accurate reasons for what an agent returns ------------------------------

async function assertFailsWith(module: string, code: string, reason: RegExp): Promise<void> {
  await withNeighbour(async ({ node, me }) => {
    await node.agents.deploy("hostile", agentBytes(module));
    const reply = await me.request("hostile", "go", 10_000);
    assert.equal(reply.performative, "failure");
    const content = reply.content as { code: string; reason: string };
    assert.equal(content.code, code);
    assert.match(content.reason, reason);
  });
}

Deno.test("an out-of-bounds pointer from caxton_alloc is reported as such, not as a stack overflow", () =>
  assertFailsWith(
    "bad_alloc_pointer",
    "bad_pointer",
    /caxton_alloc\(\d+\) returned 2147418112, out of bounds of the agent's 65536-byte memory/,
  ));

Deno.test("a caxton_handle return code is reported as the agent's, not as out of memory", () =>
  assertFailsWith("odd_return", "handling_failed", /^caxton_handle returned -1000001 \(/));

Deno.test("caxton_alloc returning 0 is reported as the agent out of memory", () =>
  assertFailsWith("alloc_returns_zero", "out_of_memory", /caxton_alloc returned 0/));
