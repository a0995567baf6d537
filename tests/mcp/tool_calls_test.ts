/**
 * Agents call tools of real MCP servers through the router: a `request` to
 * `tool:<server>/<tool>` earns `inform` (the result), `failure` (the error) or
 * `refuse` (not allowed, too many at once), threaded to the request.
 */
import assert from "node:assert/strict";
import { renderPrometheus } from "../../src/telemetry/mod.ts";
import { join } from "node:path";
import type { ToolCallRecord } from "../../src/mcp/mod.ts";
import {
  agentBytes,
  capturingLogger,
  startTestNode,
  tempDataDir,
  TestParticipant,
} from "../_support/node.ts";
import { everythingServer, filesystemServer, startHttpToolServer, until } from "./_servers.ts";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import type { AclMessage } from "../../src/acl/mod.ts";

/** Asks the tool_caller agent to call `address` with `args`; resolves with what it forwards. */
function callThrough(
  participant: TestParticipant,
  address: string,
  args: unknown,
  timeoutMs = 10_000,
): Promise<AclMessage> {
  return participant.request("caller", `${address} ${JSON.stringify(args)}`, timeoutMs);
}

function textOf(message: AclMessage): string {
  const content = message.content as { content?: { type: string; text?: string }[] };
  return (content.content ?? []).map((p) => p.text ?? "").join("\n");
}

Deno.test("an agent reads a file through server-filesystem; outside its root is a failure, outside its allowlist a refuse", async () => {
  using data = tempDataDir();
  const root = Deno.makeTempDirSync({ prefix: "caxton-fs-root-" });
  const outside = Deno.makeTempDirSync({ prefix: "caxton-fs-outside-" });
  try {
    Deno.writeTextFileSync(join(root, "hello.txt"), "hello from the sandbox");
    Deno.writeTextFileSync(join(outside, "secret.txt"), "must not leak");
    const calls: ToolCallRecord[] = [];
    const logger = capturingLogger();
    await using node = await startTestNode({
      dataDir: data.path,
      mcp: { ...defaultMcpConfig(), servers: { fs: filesystemServer(root) } },
    }, { onToolCall: (call) => calls.push(call), logger });
    await node.agents.deploy("caller", agentBytes("tool_caller_as"), {
      tools: ["fs/read_text_file", "fs/list_allowed_directories"],
    });
    using participant = new TestParticipant(node);

    const read = await callThrough(participant, "tool:fs/read_text_file", {
      path: join(root, "hello.txt"),
    });
    assert.equal(read.performative, "inform");
    assert.equal(textOf(read), "hello from the sandbox");

    const escaped = await callThrough(participant, "tool:fs/read_text_file", {
      path: join(outside, "secret.txt"),
    });
    assert.equal(escaped.performative, "failure");
    const failure = escaped.content as { code: string; reason: string };
    assert.equal(failure.code, "tool_error");
    assert.match(failure.reason, /outside allowed directories|Access denied/i);
    assert.doesNotMatch(JSON.stringify(escaped), /must not leak/);

    const write = await callThrough(participant, "tool:fs/write_file", {
      path: join(root, "written.txt"),
      content: "x",
    });
    assert.equal(write.performative, "refuse");
    const refusal = write.content as { code: string; reason: string };
    assert.equal(refusal.code, "tool_not_allowed");
    assert.match(refusal.reason, /"caller" may not call "tool:fs\/write_file"/);
    assert.throws(() => Deno.statSync(join(root, "written.txt")), Deno.errors.NotFound);

    // Counted per tool, and every call reported with server, tool, duration and outcome.
    const fs = node.tools.list().find((s) => s.name === "fs")!;
    const readTool = fs.tools.find((t) => t.name === "read_text_file")!;
    assert.equal(readTool.counters.calls, 2);
    assert.equal(readTool.counters.ok, 1);
    assert.equal(readTool.counters.errors, 1);
    assert.equal(fs.tools.find((t) => t.name === "write_file")!.counters.refused, 1);
    assert.deepEqual(
      calls.map((c) => [c.server, c.tool, c.caller, c.outcome]),
      [
        ["fs", "read_text_file", "caller", "ok"],
        ["fs", "read_text_file", "caller", "error"],
        ["fs", "write_file", "caller", "refused"],
      ],
    );
    assert.ok(calls.every((c) => c.durationMs >= 0));
    // …and in the node's metrics (one span each when tracing is on).
    const text = renderPrometheus(node.metrics);
    assert.match(
      text,
      /^caxton_tool_calls_total\{server="fs",tool="read_text_file",outcome="ok"\} 1$/m,
    );
    assert.match(
      text,
      /^caxton_tool_calls_total\{server="fs",tool="read_text_file",outcome="error"\} 1$/m,
    );
    assert.match(
      text,
      /^caxton_tool_calls_total\{server="fs",tool="write_file",outcome="error"\} 1$/m,
    );
    // …and logged, with the same keys.
    const logged = logger.lines.filter((l) => l.msg === "tool call");
    assert.deepEqual(
      logged.map((l) => [l["caxton.mcp.tool"], l["caxton.agent.name"], l.outcome]),
      [["read_text_file", "caller", "ok"], ["read_text_file", "caller", "error"], [
        "write_file",
        "caller",
        "refused",
      ]],
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
    Deno.removeSync(outside, { recursive: true });
  }
});

Deno.test("an agent without a tools allowlist is refused every tool (default deny); the grant is persisted", async () => {
  using data = tempDataDir();
  {
    await using node = await startTestNode({
      dataDir: data.path,
      mcp: { ...defaultMcpConfig(), servers: { everything: everythingServer() } },
    });
    await node.agents.deploy("caller", agentBytes("tool_caller_as"));
    using participant = new TestParticipant(node);
    const denied = await callThrough(participant, "tool:everything/echo", { message: "hi" });
    assert.equal(denied.performative, "refuse");
    assert.equal((denied.content as { code: string }).code, "tool_not_allowed");
    await node.agents.deploy("caller", agentBytes("tool_caller_as"), { tools: ["everything/*"] });
  }
  // After a restart the grant comes back from the store.
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { everything: everythingServer() } },
  });
  assert.deepEqual(node.agents.get("caller").tools, ["everything/*"]);
  using participant = new TestParticipant(node);
  const echo = await callThrough(participant, "tool:everything/echo", { message: "hi" });
  assert.equal(echo.performative, "inform");
  assert.match(textOf(echo), /hi/);
  const sum = await callThrough(participant, "tool:everything/get-sum", { a: 2, b: 40 });
  assert.equal(sum.performative, "inform");
  assert.match(textOf(sum), /42/);
});

Deno.test("a Streamable HTTP tool: results, errors and a hang that times out under the agent's own limits, and the agent keeps answering", async () => {
  using data = tempDataDir();
  await using http = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { servers: { web: { url: http.url } }, callTimeoutMs: 60_000, maxConcurrentCalls: 8 },
  });
  // The agent's own limits, tighter than the node's.
  await node.agents.deploy("caller", agentBytes("tool_caller_as"), {
    tools: ["web/*"],
    toolLimits: { maxConcurrentCalls: 1, callTimeoutMs: 500 },
  });
  using participant = new TestParticipant(node);

  const add = await callThrough(participant, "tool:web/add", { a: 20, b: 22 });
  assert.equal(add.performative, "inform");
  assert.deepEqual((add.content as { structuredContent: unknown }).structuredContent, { sum: 42 });

  const fail = await callThrough(participant, "tool:web/fail", {});
  assert.equal(fail.performative, "failure");
  assert.deepEqual(
    [(fail.content as { code: string }).code, (fail.content as { reason: string }).reason],
    ["tool_error", "the tool says no"],
  );

  const thrown = await callThrough(participant, "tool:web/throw", {});
  assert.equal(thrown.performative, "failure");
  assert.match((thrown.content as { reason: string }).reason, /thrown inside the tool/);

  // One call may be in flight (the agent's maxConcurrentCalls 1): a second while the first hangs is refused.
  const hang = callThrough(participant, "tool:web/hang", {});
  await until(() => http.hangs === 1, "the hanging call to reach the server");
  const second = await callThrough(participant, "tool:web/add", { a: 1, b: 1 });
  assert.equal(second.performative, "refuse");
  assert.equal((second.content as { code: string }).code, "too_many_tool_calls");
  const timedOut = await hang;
  assert.equal(timedOut.performative, "failure");
  assert.equal((timedOut.content as { code: string }).code, "tool_timeout");
  assert.match((timedOut.content as { reason: string }).reason, /within 500 ms/);

  // The agent and the server are fine: the next call is answered.
  const again = await callThrough(participant, "tool:web/add", { a: 1, b: 2 });
  assert.equal(again.performative, "inform");
  assert.equal(node.agents.get("caller").state, "running");
  const web = node.tools.list()[0]!;
  assert.equal(web.status, "connected");
  assert.equal(web.tools.find((t) => t.name === "hang")!.counters.timeouts, 1);
});

Deno.test("a request to a tool no server lists fails with the reason; content that is not JSON arguments is not understood", async () => {
  using data = tempDataDir();
  await using http = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { web: { url: http.url } } },
  });
  using participant = new TestParticipant(node);
  const unknown = await participant.request("tool:web/nope", {});
  assert.equal(unknown.performative, "failure");
  assert.equal((unknown.content as { code: string }).code, "unknown_receiver");
  const bad = await participant.request("tool:web/add", "not json");
  assert.equal(bad.performative, "not-understood");
  assert.equal((bad.content as { code: string }).code, "invalid_arguments");
  // An outside participant (the operator's program) may call directly, with object content.
  const direct = await participant.request("tool:web/add", { a: 2, b: 3 });
  assert.equal(direct.performative, "inform");
  assert.equal(direct.sender, "tool:web/add");
});
