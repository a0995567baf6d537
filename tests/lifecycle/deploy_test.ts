import assert from "node:assert/strict";
import { InvalidDeploymentError } from "../../src/lifecycle/mod.ts";
import { AgentLoadError, InvalidLimitError } from "../../src/runtime/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
} from "../_support/node.ts";

Deno.test("a module is metered once per content hash and reused from the store after a restart", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    await node.agents.deploy("a", agentBytes("echo_wat"));
    await node.agents.deploy("b", agentBytes("echo_wat"));
    assert.equal(node.preparer.prepared, 1);
    // Other limits bake another fuel budget in: a new metered build.
    await node.agents.deploy("c", agentBytes("echo_wat"), { limits: { fuelPerMessage: 5_000 } });
    assert.equal(node.preparer.prepared, 2);
  }
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  assert.equal((await me.request("b", "hi")).content, "hi");
  await node.agents.deploy("d", agentBytes("echo_wat"));
  assert.equal(node.preparer.prepared, 0, "restored and redeployed without metering again");
});

Deno.test("a dedicated agent gets its own worker, which goes when the agent goes", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, workers: 1 });
  using me = new TestParticipant(node);
  await node.agents.deploy("shared", agentBytes("echo_wat"));
  const alone = await node.agents.deploy("alone", agentBytes("echo_as"), {
    isolation: "dedicated",
  });
  assert.equal(alone.isolation, "dedicated");
  assert.equal(alone.worker, -1);
  assert.equal(node.pool.status().workers, 2);
  assert.equal((await me.request("alone", "x")).content, "x");
  await node.agents.stop("alone");
  assert.equal(node.pool.status().workers, 1);
  await node.agents.start("alone");
  assert.equal(node.pool.status().workers, 2);
  await node.agents.remove("alone");
  assert.equal(node.pool.status().workers, 1);
  assert.throws(() => node.agents.get("alone"), /Cannot find agent "alone"/);
});

Deno.test("an agent's log calls reach the node's log with the agent's name", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  await using node = await startTestNode({ dataDir: dir.path, workers: 1 }, { logger });
  using me = new TestParticipant(node);
  await node.agents.deploy("counter", agentBytes("counter_as"));
  await me.request("counter", "tick");
  assert.ok(
    logger.lines.some((l) =>
      l.msg === "count is now 1" && l["caxton.agent.name"] === "counter" && l.level === "info"
    ),
    JSON.stringify(logger.lines),
  );
});

Deno.test("a message over the receiver's size cap comes back as failure, before delivery", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("small", agentBytes("echo_wat"), { limits: { maxMessageBytes: 1024 } });
  const reply = await me.request("small", "x".repeat(2_000));
  assert.equal(reply.performative, "failure");
  assert.match(JSON.stringify(reply.content), /message_too_large.*over its cap of 1024/);
  assert.equal(node.agents.get("small").counters.handled, 0);
  assert.equal((await me.request("small", "short")).content, "short");
});

Deno.test("bad deployments are refused with the reason", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await assert.rejects(
    () => node.agents.deploy("Bad Name", agentBytes("echo_wat")),
    InvalidDeploymentError,
  );
  await assert.rejects(() => node.agents.deploy("ext:x", agentBytes("echo_wat")), /names are/);
  await assert.rejects(
    () => node.agents.deploy("x", agentBytes("echo_wat"), { limits: { fuelPerMessage: -5 } }),
    InvalidLimitError,
  );
  await assert.rejects(
    () => node.agents.deploy("x", agentBytes("echo_wat"), { limits: { nope: 1 } }),
    /unknown limit/,
  );
  assert.deepEqual(node.agents.list(), []);
});

Deno.test("the node's limits apply to every deployment that does not override them", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({
    dataDir: dir.path,
    limits: { ...defaultConfig().limits, fuelPerMessage: 2_000, memoryPages: 8 },
  });
  using me = new TestParticipant(node);
  const spin = await node.agents.deploy("spin", agentBytes("infinite_loop"));
  assert.equal(spin.limits.fuelPerMessage, 2_000);
  assert.equal(spin.limits.memoryPages, 8);
  assert.match(JSON.stringify((await me.request("spin", "go")).content), /budget 2000/);
  const roomy = await node.agents.deploy("roomy", agentBytes("echo_wat"), {
    limits: { memoryPages: 16 },
  });
  assert.equal(roomy.limits.memoryPages, 16);
  assert.equal(roomy.limits.fuelPerMessage, 2_000);
});

Deno.test("a first deploy whose caxton_init fails keeps nothing, not even after a restart", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await assert.rejects(
      () => node.agents.deploy("fragile", agentBytes("slow_init")),
      (e: unknown) => e instanceof AgentLoadError && /caxton_init/.test(e.message),
    );
    assert.deepEqual(node.agents.list(), []);
    assert.deepEqual(node.store.agents.list(), []);
    // The name routes nowhere: a message to it is refused as to any unknown agent.
    const refused = await me.request("fragile", "anyone?");
    assert.equal(refused.performative, "failure");
    assert.equal((refused.content as { code: string }).code, "unknown_receiver");
  }
  await using node = await startTestNode({ dataDir: dir.path });
  assert.deepEqual(node.agents.list(), []);
  const view = await node.agents.deploy("fragile", agentBytes("echo_wat"));
  assert.equal(view.version, 1);
  assert.deepEqual(node.agents.history("fragile").map((t) => t.to), ["loaded", "running"]);
});
