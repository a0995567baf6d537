import assert from "node:assert/strict";
import type { CaxtonConfig } from "../../src/config/mod.ts";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { wat } from "../_support/wat.ts";

/**
 * A WASM agent that, asked with a `request`, sends one `inform` to
 * `receivers` (conversation "fan"), and logs every other message it gets
 * (the answers: echo's informs, Caxton's failures) so the test can read them.
 */
function fanOutSender(receivers: string[]): Uint8Array {
  const json = JSON.stringify({
    performative: "inform",
    receiver: receivers,
    content: "fan",
    conversationId: "fan",
    replyWith: "fan-1",
  });
  const text = json.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  return wat(`(module
    (import "caxton" "send" (func $send (param i32 i32) (result i32)))
    (import "caxton" "log" (func $log (param i32 i32 i32)))
    (memory (export "memory") 2)
    (data (i32.const 1024) "${text}")
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param $len i32) (result i32) (i32.const 65536))
    (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
      ;; Caxton's JSON starts {"performative":" (17 bytes): byte 17 is "r" for request.
      (if (i32.eq (i32.load8_u offset=17 (local.get $ptr)) (i32.const 114))
        (then
          (drop (call $send (i32.const 1024) (i32.const ${json.length})))
          (return (i32.const 0))))
      (call $log (i32.const 2) (local.get $ptr) (local.get $len))
      (i32.const 0)))`);
}

/** What the sender logged it received, parsed. */
function heard(logger: ReturnType<typeof capturingLogger>) {
  return logger.lines
    .filter((l) => l["caxton.agent.name"] === "fan")
    .map((l) => JSON.parse(String(l.msg)));
}

// With the log on, agents' messages go through the main thread; with it off, a worker
// delivers directly between its own agents (one worker here, so all of them).
for (const messageLog of ["log", "none"] as const) {
  const config: Partial<CaxtonConfig> = { workers: 1, messageLog };

  Deno.test(`messageLog ${messageLog}: a WASM agent naming echo 5,000 times reaches it once`, async () => {
    using dir = tempDataDir();
    const logger = capturingLogger();
    await using node = await startTestNode({ dataDir: dir.path, ...config }, { logger });
    using me = new TestParticipant(node);
    await node.agents.deploy("echo", agentBytes("echo_wat"));
    await node.agents.deploy("fan", fanOutSender(Array(5_000).fill("echo")));
    me.send({ performative: "request", receiver: ["fan"] });
    await until(() => heard(logger).some((m) => m.sender === "echo"), "echo's answer");
    // Later than anything the fan-out queued at echo: a request of our own, answered.
    await me.request("echo", "after");
    assert.equal(node.agents.get("echo").counters.handled, 2, "the fan-out, then ours");
    assert.deepEqual(heard(logger).map((m) => [m.performative, m.sender]), [["inform", "echo"]]);
  });

  Deno.test(`messageLog ${messageLog}: a WASM agent over the receiver cap gets failure too_many_receivers`, async () => {
    using dir = tempDataDir();
    const logger = capturingLogger();
    await using node = await startTestNode(
      { dataDir: dir.path, ...config, maxReceivers: 2 },
      { logger },
    );
    using me = new TestParticipant(node);
    for (const name of ["echo", "e2", "e3"]) await node.agents.deploy(name, agentBytes("echo_wat"));
    await node.agents.deploy("fan", fanOutSender(["echo", "e2", "e3", "echo"]));
    me.send({ performative: "request", receiver: ["fan"] });
    await until(() => heard(logger).length > 0, "an answer to the fan-out");
    const [failure] = heard(logger);
    assert.equal(failure.performative, "failure");
    assert.equal(failure.content.code, "too_many_receivers");
    assert.equal(failure.content.limit, 2);
    assert.match(
      failure.content.reason,
      /3 distinct receivers: the most one message may name is 2/,
    );
    assert.equal(failure.conversationId, "fan");
    assert.equal(failure.inReplyTo, "fan-1");
    // Nobody got the message: our own request is echo's first.
    await me.request("echo", "after");
    assert.equal(node.agents.get("echo").counters.handled, 1);
    assert.equal(heard(logger).length, 1, "no echo answered the fan-out");
  });
}

Deno.test("a WASM agent over the default cap of 64 distinct receivers gets failure", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  await using node = await startTestNode({ dataDir: dir.path }, { logger });
  using me = new TestParticipant(node);
  const names = Array.from({ length: 65 }, (_, i) => `nobody-${i}`);
  await node.agents.deploy("fan", fanOutSender(names));
  me.send({ performative: "request", receiver: ["fan"] });
  await until(() => heard(logger).length > 0, "an answer to the fan-out");
  const answers = heard(logger);
  assert.deepEqual(answers.map((m) => [m.performative, m.content.code]), [[
    "failure",
    "too_many_receivers",
  ]], "one failure, not 65 unknown_receiver ones");
  assert.equal(answers[0].content.limit, 64);
});
