/**
 * FIPA interaction protocols with real WASM agents, checked live by the
 * node's protocol monitor as the router moves each message.
 */
import assert from "node:assert/strict";
import { type AclMessage, checkConversation } from "../../src/acl/mod.ts";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

Deno.test("fipa-request and fipa-query with a WASM agent complete with no violation", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  me.send({
    performative: "request",
    receiver: ["echo"],
    protocol: "fipa-request",
    conversationId: "req-1",
    replyWith: "r",
    content: "do it",
  });
  await me.next((m) => m.conversationId === "req-1");
  me.send({
    performative: "query-ref",
    receiver: ["echo"],
    protocol: "fipa-query",
    conversationId: "query-1",
    replyWith: "q",
    content: "(iota ?x (p ?x))",
  });
  await me.next((m) => m.conversationId === "query-1");
  for (const id of ["req-1", "query-1"]) {
    const check = node.protocols.check(id)!;
    assert.deepEqual(check.violations, []);
    assert.equal(check.state, "completed", id);
  }
});

Deno.test("a message that breaks its protocol is reported with the reason", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  await using node = await startTestNode({ dataDir: dir.path }, { logger });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  // The initiator answers its own request: only the participant may inform.
  me.send({
    performative: "request",
    receiver: ["echo"],
    protocol: "fipa-request",
    conversationId: "bad",
  });
  await me.next((m) => m.conversationId === "bad");
  me.send({ performative: "inform", receiver: ["echo"], conversationId: "bad" });
  await until(() => node.protocols.violations > 0, "the violation");
  const [violation] = node.protocols.check("bad")!.violations;
  assert.match(violation!.reason, /only the participant may send "inform" in fipa-request/);
  const line = logger.lines.find((l) => l.msg === "protocol violation");
  assert.equal(line?.conversationId, "bad");
});

/** Runs Contract Net rounds as the initiator, from outside, against WASM bidders. */
async function contractNet(
  node: Awaited<ReturnType<typeof startTestNode>>,
  me: TestParticipant,
  bidders: string[],
  protocol: "fipa-contract-net" | "fipa-iterated-contract-net",
  conversationId: string,
  rounds: number,
): Promise<{ winner: string; price: number; refused: number }> {
  const seen = (round: number) =>
    me.received.filter((m) =>
      m.conversationId === conversationId && m.inReplyTo === `cfp-${round}`
    );
  let last: AclMessage[] = [];
  for (let round = 1; round <= rounds; round++) {
    node.router.route({
      performative: "cfp",
      sender: me.name,
      receiver: bidders,
      protocol,
      conversationId,
      replyWith: `cfp-${round}`,
      replyBy: new Date(Date.now() + 30_000).toISOString(),
      content: `task round ${round}`,
    });
    await until(() => seen(round).length === bidders.length, `every answer to round ${round}`);
    last = seen(round);
    const proposals = last.filter((m) => m.performative === "propose");
    const best = proposals.reduce((a, b) => Number(b.content) < Number(a.content) ? b : a);
    const finalRound = round === rounds;
    for (const p of proposals) {
      const accept = finalRound && p === best;
      node.router.route({
        performative: accept ? "accept-proposal" : "reject-proposal",
        sender: me.name,
        receiver: [p.sender!],
        protocol,
        conversationId,
        // Answers the proposal: its replyWith, if the bidder gave one.
        ...(p.replyWith ? { inReplyTo: p.replyWith } : {}),
        ...(accept ? { replyWith: "award" } : {}),
        content: accept ? "go" : "no",
      });
    }
  }
  const done = await me.next((m) =>
    m.conversationId === conversationId && m.performative === "inform"
  );
  const proposals = last.filter((m) => m.performative === "propose");
  const price = Math.min(...proposals.map((m) => Number(m.content)));
  return { winner: done.sender!, price, refused: last.length - proposals.length };
}

Deno.test("one Contract Net round with 120 WASM bidders: best price wins, refusals counted, protocol kept", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const bidders = Array.from({ length: 120 }, (_, i) => `bidder-${i}`);
  const wasm = agentBytes("bidder_as");
  for (const [i, name] of bidders.entries()) {
    await node.agents.deploy(name, wasm);
    // Every tenth bidder has no price and will refuse; the cheapest is bidder-37.
    const price = i % 10 === 0 ? 0 : i === 37 ? 5 : 100 + ((i * 7919) % 900);
    me.send({
      performative: "request",
      receiver: [name],
      content: `price ${price}`,
      replyWith: `p${i}`,
    });
  }
  await until(
    () => me.received.filter((m) => m.performative === "agree").length === 120,
    "prices set",
  );

  const result = await contractNet(node, me, bidders, "fipa-contract-net", "cn-120", 1);
  assert.deepEqual(result, { winner: "bidder-37", price: 5, refused: 12 });
  const check = node.protocols.check("cn-120")!;
  assert.deepEqual(check.violations, []);
  assert.equal(check.state, "completed");
});

Deno.test("an iterated Contract Net: a round where all are rejected, then a second round that awards", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const bidders = ["b1", "b2", "b3", "b4"];
  for (const [i, name] of bidders.entries()) {
    await node.agents.deploy(name, agentBytes("bidder_as"));
    me.send({
      performative: "request",
      receiver: [name],
      content: `price ${40 - i}`,
      replyWith: `p${i}`,
    });
  }
  await until(
    () => me.received.filter((m) => m.performative === "agree").length === 4,
    "prices set",
  );
  const result = await contractNet(node, me, bidders, "fipa-iterated-contract-net", "icn", 2);
  assert.deepEqual(result, { winner: "b4", price: 37, refused: 0 });
  const check = node.protocols.check("icn")!;
  assert.deepEqual(check.violations, []);
  assert.equal(check.state, "completed");

  // The same two rounds under plain fipa-contract-net break it: it has one round only.
  const plain = await contractNet(node, me, bidders, "fipa-contract-net", "cn-twice", 2).catch(() =>
    null
  );
  assert.ok(plain);
  const reasons = node.protocols.check("cn-twice")!.violations.map((v) => v.reason);
  assert.ok(reasons.some((r) => /fipa-iterated-contract-net/.test(r)), reasons.join("\n"));
});

Deno.test("a WASM manager runs Contract Net with 120 WASM bidders; the logged round follows the protocol", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("manager", agentBytes("wat/manager"));
  const bidders = Array.from({ length: 120 }, (_, i) => `bidder-${i}`);
  const bytes = agentBytes("wat/bidder");
  for (const name of bidders) await node.agents.deploy(name, bytes);
  const deadline = new Date(Date.now() + 30_000).toISOString();
  me.send({
    performative: "request",
    receiver: ["manager"],
    content: `haul ${deadline} ${bidders.join(" ")}`,
    conversationId: "cn-wasm",
    replyWith: "job",
  });
  const result = await me.next((m) => m.inReplyTo === "job", 30_000);
  assert.equal(result.performative, "inform");
  const [winner] = String(result.content).split(" ");
  await node.router.flushLog();
  await until(() => node.store.messages.unfinished().length === 0, "the log to settle");

  // The round inside the conversation: every message between the manager and the bidders.
  const round = node.store.messages.byConversation("cn-wasm")
    .map((row) => row.message)
    .filter((m) => m.sender !== me.name && m.receiver[0] !== me.name);
  const cfps = round.filter((m) => m.performative === "cfp");
  assert.equal(cfps.length, 120);
  assert.equal(round.filter((m) => m.performative === "accept-proposal").length, 1);
  assert.ok(round.some((m) => m.performative === "inform" && m.sender === winner));
  // The manager names no protocol; judge the round as fipa-contract-net.
  const check = checkConversation([
    { ...round[0]!, protocol: "fipa-contract-net" },
    ...round.slice(1),
  ]);
  assert.deepEqual(check.violations.map((v) => v.reason), []);
  assert.equal(check.state, "completed");
});
