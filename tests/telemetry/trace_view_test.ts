import assert from "node:assert/strict";
import type { TraceNode } from "../../src/telemetry/mod.ts";
import { runRound } from "../conformance/_agents.ts";
import { runCli } from "../_support/process.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

function flatten(nodes: TraceNode[], depth = 0): { depth: number; node: TraceNode }[] {
  return nodes.flatMap((node) => [{ depth, node }, ...flatten(node.children, depth + 1)]);
}

Deno.test("`caxton trace` shows a Contract Net round from the store as a tree of answers and causes, with timings and outcomes", async () => {
  using dir = tempDataDir();
  let conversationId: string;
  {
    await using node = await startTestNode({ dataDir: dir.path, messageLog: "log" });
    using me = new TestParticipant(node, "ext:ops");
    await node.agents.deploy("manager", agentBytes("wat/manager"));
    await node.agents.deploy("b1", agentBytes("wat/bidder"));
    await node.agents.deploy("b2", agentBytes("wat/bidder"));
    const verdict = await runRound(me, "manager", { task: "paint", bidders: ["b1", "b2"] });
    conversationId = verdict.conversationId!;
    // The winner's "done" comes after the verdict: the round ends when the manager has it.
    await until(() => node.agents.get("manager").counters.handled >= 4, "the winner's done", 5_000);
    await node.router.flushLog();
  }

  const json = await runCli("trace", conversationId, "--data-dir", dir.path, "--json");
  assert.equal(json.code, 0, json.stderr);
  const tree = flatten(JSON.parse(json.stdout) as TraceNode[]);
  const [root] = tree;
  assert.equal(tree.filter((t) => t.depth === 0).length, 1, "one root: the client's request");
  assert.equal(root!.node.entry.message.performative, "request");
  assert.equal(root!.node.entry.receiver, "manager");
  const cfps = tree.filter((t) => t.node.entry.message.performative === "cfp");
  assert.deepEqual(cfps.map((t) => t.node.entry.receiver).sort(), ["b1", "b2"]);
  for (const cfp of cfps) {
    assert.equal(cfp.depth, 1, "each cfp was caused by the request");
    assert.equal(cfp.node.link, "cause");
    const answer = cfp.node.children.find((c) =>
      c.entry.message.sender === cfp.node.entry.receiver
    );
    assert.ok(answer, `${cfp.node.entry.receiver} answered its cfp`);
    assert.equal(answer.link, "in-reply-to");
  }
  const verdict = tree.find((t) => t.node.entry.receiver === "ext:ops")!;
  assert.equal(verdict.node.link, "in-reply-to");
  assert.equal(verdict.depth, 1, "the verdict answers the request");
  const done = tree.find((t) => t.node.entry.message.content === "done")!;
  assert.equal(done.node.entry.message.sender, "b1");
  assert.equal(done.node.link, "cause");
  assert.equal(done.node.entry.message.performative, "inform");
  for (const { node } of tree) {
    assert.equal(node.entry.status, "handled");
    assert.ok(node.entry.updatedAt >= node.entry.acceptedAt);
  }

  const text = await runCli("trace", conversationId, "--data-dir", dir.path);
  assert.equal(text.code, 0);
  const lines = text.stdout.trim().split("\n");
  assert.match(lines[0]!, new RegExp(`^conversation ${conversationId}: ${tree.length} deliveries`));
  assert.match(
    lines[1]!,
    /^└─ \+0 ms {2}request ext:ops → manager "paint - b1 b2" {2}handled in \d+ ms$/,
  );
  assert.ok(lines.some((l) => /^ {3}[├└]─ \+\d+ ms {2}cfp manager → b1 .*\[cause\]$/.test(l)));
  assert.ok(lines.some((l) => /^ {3}[│ ] {2}└─ .*propose b1 → manager .*\[in-reply-to\]$/.test(l)));

  const missing = await runCli("trace", "no-such-conversation", "--data-dir", dir.path);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /No logged messages in conversation "no-such-conversation"/);
});
