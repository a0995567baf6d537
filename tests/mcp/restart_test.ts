/**
 * Tool servers come and go: Caxton retries a server that is not up yet with
 * backoff, starts a crashed stdio server again, and neither the calling agent
 * nor the node goes down with it.
 */
import assert from "node:assert/strict";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";
import { crashyServer, freePort, startHttpToolServer, until } from "./_servers.ts";

Deno.test("a stdio tool server that crashes mid-call costs one failure and is started again", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { crashy: crashyServer() } },
  });
  await node.agents.deploy("caller", agentBytes("tool_caller_as"), { tools: ["crashy/*"] });
  using participant = new TestParticipant(node);
  const server = () => node.tools.list().find((s) => s.name === "crashy")!;
  const pidOf = async () => {
    const reply = await participant.request("caller", "tool:crashy/pid {}", 10_000);
    assert.equal(reply.performative, "inform");
    return Number((reply.content as { content: { text: string }[] }).content[0]!.text);
  };

  const first = await pidOf();
  assert.equal(server().pid, first);

  const crashed = await participant.request("caller", "tool:crashy/crash {}", 10_000);
  assert.equal(crashed.performative, "failure");
  assert.equal((crashed.content as { code: string }).code, "tool_failed");
  // Until it is back (first retry after 100 ms), calls are answered at once, not queued.
  assert.equal(server().status, "restarting");
  const meanwhile = await participant.request("tool:crashy/pid", {});
  assert.equal(meanwhile.performative, "failure");
  assert.equal((meanwhile.content as { code: string }).code, "tool_unavailable");
  await until(() => server().status === "connected" && server().restarts === 1, "a restart");
  const second = await pidOf();
  assert.notEqual(second, first);

  // Killed from outside (SIGKILL, by the PID Caxton started): started again too.
  Deno.kill(second, "SIGKILL");
  await until(() => server().restarts === 2 && server().status === "connected", "a 2nd restart");
  const third = await pidOf();
  assert.notEqual(third, second);
  assert.equal(node.agents.get("caller").state, "running");
  assert.equal(node.agents.get("caller").counters.traps, 0);
});

Deno.test("a server that is down at start is retried with backoff and its tools appear once it is up", async () => {
  using data = tempDataDir();
  const port = freePort();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { late: { url: `http://127.0.0.1:${port}/mcp` } } },
  });
  const late = () => node.tools.list()[0]!;
  assert.equal(late().status, "connecting");
  assert.ok(late().lastError);
  assert.deepEqual(late().tools, []);
  using participant = new TestParticipant(node);
  const early = await participant.request("tool:late/add", { a: 1, b: 2 });
  assert.equal(early.performative, "failure");
  assert.equal((early.content as { code: string }).code, "unknown_receiver");

  await using _http = startHttpToolServer(port);
  await until(() => late().status === "connected", "the late server", 15_000);
  const reply = await participant.request("tool:late/add", { a: 1, b: 2 });
  assert.equal(reply.performative, "inform");
  assert.deepEqual((reply.content as { structuredContent: unknown }).structuredContent, { sum: 3 });
});
