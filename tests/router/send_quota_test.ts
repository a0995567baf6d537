import assert from "node:assert/strict";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { sinkAgent } from "../_support/storm.ts";

Deno.test("an agent over its send quota sees -2, as from a full mailbox; the quota is per agent and nothing is dropped", async () => {
  using dir = tempDataDir();
  // 4 sends per agent in a window longer than the test: nothing refills.
  await using node = await startTestNode({
    dataDir: dir.path,
    sendQuota: 4,
    sendQuotaIntervalMs: 3_600_000,
  });
  using me = new TestParticipant(node);
  await node.agents.deploy("sink", sinkAgent());
  await node.agents.deploy("flooder-a", agentBytes("flooder_as"));
  await node.agents.deploy("flooder-b", agentBytes("flooder_as"));

  // Three informs and the reply: the whole quota.
  assert.equal((await me.request("flooder-a", "3 sink")).content, "sent=3 full=0 other=0");
  // Another agent has a quota of its own.
  assert.equal((await me.request("flooder-b", "3 sink")).content, "sent=3 full=0 other=0");

  // flooder-a's quota is spent: every send returns -2, its reply too, so its
  // sender hears of the failed run instead.
  const replyWith = crypto.randomUUID();
  const refused = me.next((m) => m.inReplyTo === replyWith);
  me.send({ performative: "request", receiver: ["flooder-a"], content: "2 sink", replyWith });
  const failure = await refused;
  assert.equal(failure.performative, "failure");
  assert.equal((failure.content as { code: string }).code, "handling_failed");

  // What was accepted arrives; what was refused was never sent, not dropped.
  await until(() => node.agents.get("sink").counters.handled === 6, "the sink to take 6");
  assert.equal(node.agents.get("flooder-a").counters.sent, 4);
  assert.equal(node.router.deadLetters, 0);
});
