import assert from "node:assert/strict";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
} from "../_support/node.ts";

Deno.test("a malformed message from an agent comes back to it as not-understood with the reason", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  await using node = await startTestNode({ dataDir: dir.path }, { logger });
  using me = new TestParticipant(node);
  await node.agents.deploy("garbler", agentBytes("malformed_sender"));
  me.send({ performative: "request", receiver: ["garbler"], content: "talk" });
  const deadline = Date.now() + 5_000;
  const seen = () => logger.lines.find((l) => l["caxton.agent.name"] === "garbler");
  while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const received = JSON.parse(String(seen()?.msg));
  assert.equal(received.performative, "not-understood");
  assert.equal(received.sender, "caxton");
  assert.match(received.content.reason, /"performative" is "requets"/);
  assert.equal(me.received.length, 0, "nothing malformed reached anyone else");
});
