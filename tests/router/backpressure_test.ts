import assert from "node:assert/strict";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

/** A sieve big enough that each message keeps the sink busy for a while. */
const HEAVY = "3000000";

Deno.test("a full mailbox is backpressure a WASM sender sees: send returns -2 until it drains; nothing is dropped", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path, mailboxCapacity: 4 });
  using me = new TestParticipant(node);
  await node.agents.deploy("sink", agentBytes("compute_as"), {
    limits: { fuelPerMessage: 1e10 }, // well within what the default 1 s deadline allows
  });
  await node.agents.deploy("flooder", agentBytes("flooder_as"));
  assert.notEqual(node.agents.get("sink").worker, node.agents.get("flooder").worker);

  // Fill the sink's mailbox (capacity 4) with slow work.
  for (let i = 0; i < 4; i++) {
    me.send({ performative: "request", receiver: ["sink"], content: HEAVY, replyWith: `h${i}` });
  }
  assert.equal(node.agents.get("sink").mailboxDepth, 4);
  // One more from outside is refused with a failure, not dropped.
  me.send({ performative: "request", receiver: ["sink"], content: HEAVY, replyWith: "h4" });
  const refused = await me.next((m) => m.inReplyTo === "h4");
  assert.equal(refused.performative, "failure");
  assert.equal((refused.content as { code: string }).code, "mailbox_full");

  // The flooder, on the other worker, is told before it sends: -2, nothing sent.
  const blocked = await me.request("flooder", "3 sink");
  assert.equal(blocked.content, "sent=0 full=3 other=0");

  // Once the sink has drained, the same sends go through.
  for (let i = 0; i < 4; i++) await me.next((m) => m.inReplyTo === `h${i}`, 30_000);
  const flowing = await me.request("flooder", "3 sink");
  assert.equal(flowing.content, "sent=3 full=0 other=0");
  assert.equal(node.router.deadLetters, 0);
});
