import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("each address space has its own reason when nobody answers to the name", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("flooder", agentBytes("flooder_as"));
  const failures: AclMessage[] = [];
  node.router.tap((m) => {
    if (m.performative === "failure" && m.receiver[0] === "flooder") failures.push(m);
  });
  // A WASM agent sends to a tool, an unregistered outside participant and an unknown agent.
  await me.request("flooder", "1 tool:files/read");
  await me.request("flooder", "1 ext:nobody");
  await me.request("flooder", "1 ghost");
  await until(() => failures.length >= 3, "three failures back to the flooder", 5_000);
  const reasons = failures.map((m) => (m.content as { code: string; reason: string }));
  assert.deepEqual(reasons.map((r) => r.code), Array(3).fill("unknown_receiver"));
  assert.match(reasons[0]!.reason, /no MCP tool "tool:files\/read"/);
  assert.match(reasons[1]!.reason, /no outside participant "ext:nobody" is registered/);
  assert.match(reasons[2]!.reason, /no agent or participant named "ghost"/);
  assert.deepEqual(failures.map((m) => m.sender), ["tool:files/read", "ext:nobody", "ghost"]);
});

Deno.test("outside participants are named ext:<name>; agents cannot take those names", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  assert.throws(() => node.router.registerExternal("tool:x", () => {}), /named "ext:<name>"/);
  await assert.rejects(() => node.agents.deploy("ext:echo", agentBytes("echo_wat")), /names are/);
  await assert.rejects(() => node.agents.deploy("tool:echo", agentBytes("echo_wat")), /names are/);
});
