import assert from "node:assert/strict";
import type { TraceNode } from "../../src/telemetry/mod.ts";
import { runRound } from "../conformance/_agents.ts";
import { runCliWith } from "../_support/process.ts";
import { startApiNode } from "../_support/api_node.ts";
import { agentBytes, tempDataDir, TestParticipant, until } from "../_support/node.ts";

function flatten(nodes: TraceNode[], depth = 0): { depth: number; node: TraceNode }[] {
  return nodes.flatMap((node) => [{ depth, node }, ...flatten(node.children, depth + 1)]);
}

Deno.test("`caxton trace` asks the server, from any directory, for a Contract Net round as a timing tree", async () => {
  await using n = await startApiNode({ messageLog: "log" });
  const node = n.node;
  using me = new TestParticipant(node, "ext:ops");
  await node.agents.deploy("manager", agentBytes("wat/manager"));
  await node.agents.deploy("b1", agentBytes("wat/bidder"));
  await node.agents.deploy("b2", agentBytes("wat/bidder"));
  const verdict = await runRound(me, "manager", { task: "paint", bidders: ["b1", "b2"] });
  const conversationId = verdict.conversationId!;
  // The winner's "done" comes after the verdict: the round ends when the manager has it.
  await until(() => node.agents.get("manager").counters.handled >= 4, "the manager's 4th message");
  await node.router.flushLog();
  // Another working directory: nothing of the node's data dir is at hand, only its URL.
  using elsewhere = tempDataDir();
  const runCli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" }, cwd: elsewhere.path }, ...args);

  const json = await runCli("trace", conversationId, "--json");
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout);
  assert.equal(body.conversationId, conversationId);
  const tree = flatten(body.roots as TraceNode[]);
  assert.equal(body.deliveries, tree.length);
  const [root] = tree;
  assert.equal(tree.filter((t) => t.depth === 0).length, 1, "one root: the client's request");
  assert.equal(root!.node.message.performative, "request");
  assert.equal(root!.node.receiver, "manager");
  const cfps = tree.filter((t) => t.node.message.performative === "cfp");
  assert.deepEqual(cfps.map((t) => t.node.receiver).sort(), ["b1", "b2"]);
  for (const cfp of cfps) {
    assert.equal(cfp.depth, 1, "each cfp was caused by the request");
    assert.equal(cfp.node.link, "cause");
    const answer = cfp.node.children.find((c) => c.message.sender === cfp.node.receiver);
    assert.ok(answer, `${cfp.node.receiver} answered its cfp`);
    assert.equal(answer.link, "in-reply-to");
  }
  const answer = tree.find((t) => t.node.receiver === "ext:ops")!;
  assert.equal(answer.node.link, "in-reply-to");
  assert.equal(answer.depth, 1, "the verdict answers the request");
  const done = tree.find((t) => t.node.message.content === "done")!;
  assert.equal(done.node.message.sender, "b1");
  assert.equal(done.node.link, "cause");
  assert.equal(done.node.message.performative, "inform");
  for (const { node } of tree) {
    assert.equal(node.status, "handled");
    assert.ok(node.tookMs >= 0 && node.offsetMs >= 0);
  }

  const text = await runCli("trace", conversationId);
  assert.equal(text.code, 0);
  const lines = text.stdout.trim().split("\n");
  assert.match(lines[0]!, new RegExp(`^conversation ${conversationId}: ${tree.length} deliveries`));
  assert.match(
    lines[1]!,
    /^└─ \+0 ms {2}request ext:ops → manager "paint - b1 b2" {2}handled in \d+ ms$/,
  );
  assert.ok(lines.some((l) => /^ {3}[├└]─ \+\d+ ms {2}cfp manager → b1 .*\[cause\]$/.test(l)));
  assert.ok(lines.some((l) => /^ {3}[│ ] {2}└─ .*propose b1 → manager .*\[in-reply-to\]$/.test(l)));

  const missing = await runCli("trace", "no-such-conversation");
  assert.equal(missing.code, 3, "not found");
  assert.match(
    missing.stderr,
    /^caxton: Cannot find conversation "no-such-conversation".* — check the id \(`caxton message send … --conversation ID` names one\)/,
  );
});
