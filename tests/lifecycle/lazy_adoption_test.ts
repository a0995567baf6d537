/**
 * A restart adopts no agent it need not act on (issue 21): each is adopted on
 * its first touch — a message, an API read, a deploy — while counts by state,
 * a page of the listing and name uniqueness stay right for the dormant ones.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { AgentsExistError } from "../../src/lifecycle/mod.ts";
import { countOf, leaveUnfinished } from "../_support/redeliveries.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

const SCALE = { ...defaultScaleConfig(), passivateAfterMs: 60_000 };
const names = Array.from({ length: 300 }, (_, i) => `c-${String(i).padStart(3, "0")}`);

Deno.test("a restarted node adopts only redelivery receivers and kept-alive agents, the rest on first touch", async () => {
  using dir = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
    await node.agents.deployMany(names, agentBytes("counter_wat"));
    await node.agents.deploy("kept", agentBytes("echo_wat"), { keepAlive: true });
    await node.agents.deploy("quiet", agentBytes("echo_wat"), { capabilities: ["hush"] });
    await node.agents.stop("c-299");
    await node.participants.register("keeper");
  }
  leaveUnfinished(dir.path, "ext:keeper", ["c-003", "c-150"]);
  await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  // Redelivered at start (c-003, c-150) and kept alive (kept): no other row became an agent.
  assert.equal(node.agents.adopted(), 3);

  const byState = node.agents.countByState();
  assert.deepEqual([byState.running, byState.stopped], [301, 1], "counted without adopting");
  const page = node.agents.page({ after: "c-295", limit: 3 });
  assert.deepEqual(page.items.map((a) => [a.name, a.state]), [
    ["c-296", "running"],
    ["c-297", "running"],
    ["c-298", "running"],
  ]);
  assert.equal(page.next, "c-298");
  assert.deepEqual(node.agents.page({ state: "stopped" }).items.map((a) => a.name), ["c-299"]);
  assert.deepEqual(node.agents.page({ capability: "hush" }).items.map((a) => a.name), ["quiet"]);
  assert.equal(node.directory.declared("hush"), true, "the directory knows it again");
  assert.equal(node.agents.adopted(), 3, "listing and counting adopted none");

  // First touches: a message (its state came back from the store), a read, a redeploy.
  using me = new TestParticipant(node);
  assert.equal((await me.request("c-042", "hi")).content, "1");
  assert.equal(node.agents.get("c-299").state, "stopped");
  await assert.rejects(
    node.agents.deployMany(["c-007"], agentBytes("counter_wat")),
    AgentsExistError,
  );
  const redeployed = await node.agents.deploy("c-008", agentBytes("counter_wat"));
  assert.equal(redeployed.version, 2, "an existing name, even dormant, is a new version");
  assert.equal(node.agents.adopted(), 6);
  await until(() => node.store.messages.unfinished().length === 0, "the redeliveries handled");
  assert.deepEqual([countOf(node.store, "c-003"), countOf(node.store, "c-150")], [1, 1]);
  assert.equal(node.agents.countByState().running, 301, "adopting moved nothing between counts");
});

Deno.test("a node closed while its directory still refills after a restart stops the refill (no read of the closed store)", async () => {
  using dir = tempDataDir();
  // Enough agents with capabilities for several refill batches (2,000 a turn of the event loop).
  const many = Array.from({ length: 12_000 }, (_, i) => `r-${i}`);
  {
    await using node = await startTestNode({ dataDir: dir.path, scale: SCALE });
    await node.agents.deployMany(many, agentBytes("counter_wat"));
    assert.ok(node.directory.size >= many.length, "every agent declared its capability");
  }
  // Closed at once: a refill left running would read the closed store on a later turn and
  // fail this test with "statement has been finalized".
  {
    await using _node = await startTestNode({ dataDir: dir.path, scale: SCALE });
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
});
