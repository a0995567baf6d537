/**
 * The metered-build cache (in memory and in the store) is keyed by content
 * hash, limits and metering version: a build made by an older metering is
 * never run again.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DEFAULT_LIMITS } from "../../src/runtime/mod.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

Deno.test("a build stored by an older metering is not reused: the module is metered again", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const echo = agentBytes("echo_wat");
  const hash = createHash("sha256").update(echo).digest("hex");
  // What metering version 1 stored: its key had no version. Its bytes here
  // are the unmetered module, which would fail to load if it were reused.
  node.store.modules.put(echo, {
    hash,
    options: JSON.stringify({
      fuel: DEFAULT_LIMITS.fuelPerMessage,
      memoryPages: DEFAULT_LIMITS.memoryPages,
    }),
    metered: echo,
    hasInit: false,
  });
  await node.agents.deploy("echo", echo);
  assert.equal(node.preparer.prepared, 1, "metered again, not taken from the stale build");
  assert.equal((await me.request("echo", "hi")).content, "hi");
});
