/**
 * Circuit breakers around a real failing webhook and a real MCP server: they
 * open after the threshold, fail calls at once with `circuit_open`, show in
 * /metrics and /ready, and close again after the cool-down once a trial call
 * succeeds.
 */
import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { CircuitBreaker } from "../../src/resilience/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { call } from "../_support/http.ts";
import { startHttpToolServer } from "../mcp/_servers.ts";

const breaker = { failureThreshold: 2, coolDownMs: 300 };

function codeOf(m: AclMessage): string {
  return (m.content as { code: string }).code;
}

Deno.test("a breaker opens after the threshold, refuses while open and lets one trial through after the cool-down", () => {
  const b = new CircuitBreaker("x", { failureThreshold: 2, coolDownMs: 60_000 });
  assert.ok(b.allow());
  b.failed();
  assert.equal(b.state, "closed");
  assert.ok(b.allow());
  b.failed();
  assert.equal(b.state, "open");
  assert.equal(b.allow(), false);
  assert.deepEqual(b.view(), {
    name: "x",
    state: "open",
    consecutiveFailures: 2,
    opened: 1,
    rejected: 1,
  });
});

Deno.test("a failing webhook opens its breaker: messages fail at once with circuit_open, then it closes once the webhook recovers", async () => {
  using data = tempDataDir();
  let failing = true;
  let posts = 0;
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.body?.cancel();
    posts++;
    return new Response(null, { status: failing ? 500 : 204 });
  });
  try {
    await using node = await startTestNode({
      dataDir: data.path,
      webhookAllowPrivate: true,
      security: { ...defaultConfig().security, breaker },
    }, { serve: true });
    await node.participants.register("hooked", {
      webhook: { url: `http://127.0.0.1:${hook.addr.port}/in`, maxAttempts: 1, backoffMs: 1 },
    });
    using sender = new TestParticipant(node);
    const send = (n: number) => sender.request("ext:hooked", n, 5_000);
    assert.equal(codeOf(await send(1)), "agent_unavailable");
    assert.equal(codeOf(await send(2)), "agent_unavailable");
    const state = () => node.breakers.views().find((b) => b.name === "webhook:ext:hooked")!.state;
    assert.equal(state(), "open");
    const seen = posts;
    const refused = await send(3);
    assert.equal(codeOf(refused), "circuit_open");
    assert.match((refused.content as { reason: string }).reason, /circuit is open/);
    assert.equal(posts, seen, "an open breaker does not call the webhook");

    const metrics = await call(`${node.url}/metrics`);
    assert.match(metrics.body, /caxton_circuit_state\{breaker="webhook:ext:hooked"\} 2/);
    const ready = await call(`${node.url}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.breakers[0].state, "open");

    failing = false;
    await until(() => state() === "half_open", "the cool-down to end");
    sender.send({ performative: "inform", receiver: ["ext:hooked"], content: 4 });
    await until(() => state() === "closed", "the trial delivery to close the breaker");
    assert.equal(posts, seen + 1);
    assert.match(
      (await call(`${node.url}/metrics`)).body,
      /caxton_circuit_state\{breaker="webhook:ext:hooked"\} 0/,
    );
  } finally {
    await hook.shutdown();
  }
});

Deno.test("an MCP server that keeps timing out opens its breaker; tool calls fail at once with circuit_open, then it closes", async () => {
  using data = tempDataDir();
  await using http = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultConfig().mcp, servers: { web: { url: http.url } } },
    security: { ...defaultConfig().security, breaker },
  });
  await node.agents.deploy("caller", agentBytes("tool_caller_as"), {
    tools: ["web/*"],
    toolLimits: { maxConcurrentCalls: 4, callTimeoutMs: 150 },
  });
  using participant = new TestParticipant(node);
  const tool = (name: string, args: unknown) =>
    participant.request("caller", `tool:web/${name} ${JSON.stringify(args)}`, 10_000);
  assert.equal(codeOf(await tool("hang", {})), "tool_timeout");
  assert.equal(codeOf(await tool("hang", {})), "tool_timeout");
  const state = () => node.breakers.views().find((b) => b.name === "mcp:web")!.state;
  assert.equal(state(), "open");
  const hangs = http.hangs;
  const refused = await tool("add", { a: 1, b: 2 });
  assert.equal(codeOf(refused), "circuit_open");
  assert.equal(http.hangs, hangs);
  await until(() => state() === "half_open", "the cool-down to end");
  const trial = await tool("add", { a: 1, b: 2 });
  assert.equal(trial.performative, "inform");
  assert.equal(state(), "closed");
});
