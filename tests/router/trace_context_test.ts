import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import {
  nextTraceparent,
  parseFipaString,
  parseTraceparent,
  printFipaString,
} from "../../src/acl/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

const CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

Deno.test("the next hop keeps the trace and flags and takes a new span id; bad input starts a trace", () => {
  const next = parseTraceparent(nextTraceparent(CALLER))!;
  assert.equal(next.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(next.flags, "01");
  assert.notEqual(next.parentId, "00f067aa0ba902b7");
  for (
    const bad of [
      undefined,
      "",
      "junk",
      CALLER.toUpperCase(),
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
    ]
  ) {
    const fresh = parseTraceparent(nextTraceparent(bad));
    assert.ok(fresh, `a valid traceparent replaces ${JSON.stringify(bad)}`);
    assert.notEqual(fresh.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  }
});

Deno.test("every routed message carries a traceparent; a WASM agent's reply continues the caller's trace", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  const routed: AclMessage[] = [];
  const stop = node.router.tap((m) => routed.push(m));

  me.send({
    performative: "request",
    receiver: ["echo"],
    content: "a",
    replyWith: "r1",
    traceparent: CALLER,
  });
  const reply = await me.next((m) => m.inReplyTo === "r1");
  const context = parseTraceparent(reply.traceparent)!;
  assert.equal(context.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  const spans = routed.map((m) => parseTraceparent(m.traceparent)!.parentId);
  assert.equal(new Set(spans).size, routed.length, "each hop has its own span id");

  // No traceparent from the caller: the router starts a trace and the reply continues it.
  me.send({ performative: "request", receiver: ["echo"], content: "b", replyWith: "r2" });
  const second = await me.next((m) => m.inReplyTo === "r2");
  const request = routed.find((m) => m.replyWith === "r2")!;
  assert.ok(parseTraceparent(request.traceparent), "the router stamped the request");
  assert.equal(
    parseTraceparent(second.traceparent)!.traceId,
    parseTraceparent(request.traceparent)!.traceId,
  );
  stop();
});

Deno.test("agent-to-agent traffic and failure replies stay in one trace", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("a", agentBytes("echo_wat"));
  await node.agents.deploy("b", agentBytes("echo_wat"));
  const routed: AclMessage[] = [];
  const stop = node.router.tap((m) => routed.push(m));
  // a and b echo each other: every bounce is caused by the previous one.
  node.router.route({
    performative: "inform",
    sender: "a",
    receiver: ["b"],
    content: "x",
    traceparent: CALLER,
  });
  await until(() => routed.length >= 10, "ten routed messages", 5_000);
  await node.agents.stop("a");
  stop();
  assert.ok(routed.length >= 10);
  for (const m of routed.slice(0, 10)) {
    assert.equal(parseTraceparent(m.traceparent)!.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  }

  me.send({ performative: "request", receiver: ["nobody"], replyWith: "q", traceparent: CALLER });
  const failure = await me.next((m) => m.inReplyTo === "q");
  assert.equal(failure.performative, "failure");
  assert.equal(parseTraceparent(failure.traceparent)!.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
});

Deno.test("the FIPA string encoding carries the traceparent as :X-traceparent", () => {
  const message: AclMessage = { performative: "inform", receiver: ["b"], traceparent: CALLER };
  const text = printFipaString(message);
  assert.match(text, /:X-traceparent "00-4bf92f/); // a word cannot start with a digit
  assert.deepEqual(parseFipaString(text), message);
});
