import assert from "node:assert/strict";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("a malformed message from an agent comes back to it as not-understood with the reason", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  await using node = await startTestNode({ dataDir: dir.path }, { logger });
  using me = new TestParticipant(node);
  await node.agents.deploy("garbler", agentBytes("malformed_sender"));
  me.send({ performative: "request", receiver: ["garbler"], content: "talk" });
  const seen = () => logger.lines.find((l) => l["caxton.agent.name"] === "garbler");
  await until(() => seen() !== undefined, "garbler's log line of the not-understood", 5_000);
  const received = JSON.parse(String(seen()?.msg));
  assert.equal(received.performative, "not-understood");
  assert.equal(received.sender, "caxton");
  assert.match(received.content.reason, /"performative" is "requets"/);
  assert.equal(me.received.length, 0, "nothing malformed reached anyone else");
});
