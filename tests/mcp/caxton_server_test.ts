/**
 * Caxton is itself an MCP server: the SDK's client lists agents, sends
 * messages, awaits replies and reads conversations, over Streamable HTTP at
 * `/mcp` and over stdio with `caxton mcp`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { connectStdioMcp } from "../_support/mcp_stdio.ts";
import { startHttpToolServer } from "./_servers.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));

type _Structured = Record<string, unknown>;

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent as _Structured;
}

Deno.test("over Streamable HTTP at /mcp: list agents, request and await the reply, send, read the conversation", async () => {
  using data = tempDataDir();
  await using tools = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { web: { url: tools.url } } },
  }, { serve: true });
  await node.agents.deploy("echo", agentBytes("echo_as"));
  const client = new Client({ name: "test-llm", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${node.url}/mcp`)));
  try {
    const names = (await client.listTools()).tools.map((t: { name: string }) => t.name).sort();
    assert.deepEqual(names, ["list_agents", "read_conversation", "request", "send_message"]);

    const { agents } = await call(client, "list_agents") as { agents: { name: string }[] };
    assert.deepEqual(agents.map((a) => a.name), ["echo"]);

    const asked = await call(client, "request", { receiver: "echo", content: "hello" });
    const reply = asked.reply as { performative: string; content: unknown; sender: string };
    assert.deepEqual([reply.performative, reply.sender, reply.content], [
      "inform",
      "echo",
      "hello",
    ]);

    // An LLM client reaches MCP tools through Caxton too.
    const sum = await call(client, "request", {
      receiver: "tool:web/add",
      content: { a: 2, b: 5 },
    });
    assert.deepEqual((sum.reply as { content: _Structured }).content.structuredContent, { sum: 7 });

    const sent = await call(client, "send_message", {
      receiver: "echo",
      performative: "request",
      content: "logged",
      conversationId: "conv-1",
    });
    assert.deepEqual(sent, { conversationId: "conv-1", delivered: 1 });
    let deliveries: { receiver: string; message: { performative: string } }[] = [];
    await until(async () => {
      const read = await call(client, "read_conversation", { conversationId: "conv-1" });
      deliveries = read.deliveries as typeof deliveries;
      return deliveries.length >= 2;
    }, "the request and its reply in the conversation");
    assert.deepEqual(
      deliveries.map((d) => [d.receiver, d.message.performative]),
      [["echo", "request"], ["ext:mcp", "inform"]],
    );

    // Mistakes come back as tool errors with the reason.
    const bad = await client.callTool({
      name: "request",
      arguments: { receiver: "nobody", content: "x", timeoutMs: 2_000 },
    });
    assert.equal(bad.isError, undefined);
    const failure = (bad.structuredContent as { reply: { performative: string } }).reply;
    assert.equal(failure.performative, "failure");
  } finally {
    await client.close();
  }

  // A browser page from another origin may not drive the agents (DNS rebinding).
  const crossSite = await fetch(`${node.url}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      origin: "http://evil.example",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();
  // Nor a page whose name was rebound to this address (DNS rebinding): its Host is foreign.
  const rebound = await node.mcp.handleHttp(
    new Request(`${node.url}/mcp`, {
      method: "POST",
      headers: {
        host: "rebound.example:8080",
        origin: "http://rebound.example:8080",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    }),
  );
  assert.equal(rebound.status, 403);
  assert.match((await rebound.json()).error.message, /Host "rebound\.example:8080" is not one/);
});

Deno.test("with an apiToken, /mcp needs the bearer token as /api/v1 does", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path, apiToken: "s3cret" }, {
    serve: true,
  });
  const anonymous = await fetch(`${node.url}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  const client = new Client({ name: "test-llm", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${node.url}/mcp`), {
      requestInit: { headers: { authorization: "Bearer s3cret" } },
    }),
  );
  try {
    assert.deepEqual(await call(client, "list_agents"), { agents: [], next: null });
  } finally {
    await client.close();
  }
});

Deno.test("over stdio with `caxton mcp`: the SDK client drives a node in a child process", async () => {
  using data = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: data.path });
    await node.agents.deploy("echo", agentBytes("echo_as"));
  }
  const mcp = await connectStdioMcp(data.path);
  try {
    const { agents } = await call(mcp.client, "list_agents") as {
      agents: { name: string; state: string }[];
    };
    assert.deepEqual(agents.map((a) => [a.name, a.state]), [["echo", "running"]]);
    const asked = await call(mcp.client, "request", { receiver: "echo", content: "over stdio" });
    assert.equal((asked.reply as { content: unknown }).content, "over stdio");
  } finally {
    await mcp[Symbol.asyncDispose]();
  }
  // Read once the child has ended: errors at shutdown count too.
  assert.doesNotMatch(mcp.stderr(), /"level":"error"/);
});

Deno.test("GET /api/v1/tools and `caxton tool list` show the tools and their call counters", async () => {
  using data = tempDataDir();
  await using tools = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: { ...defaultMcpConfig(), servers: { web: { url: tools.url } } },
  }, { serve: true });
  const listing = await (await fetch(`${node.url}/api/v1/tools`)).json();
  assert.deepEqual(
    listing.items.map((t: { address: string }) => t.address).sort(),
    ["tool:web/add", "tool:web/fail", "tool:web/hang", "tool:web/throw"],
  );
  assert.equal(listing.servers[0].status, "connected");

  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "tool", "list", "--server", node.url!, ...args],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  };
  const table = await run();
  assert.match(table, /^TOOL\s+CALLS\s+OK\s+ERRORS\s+TIMEOUTS\s+REFUSED$/m);
  assert.match(table, /^tool:web\/add\s+0\s+0\s+0\s+0\s+0$/m);
  assert.match(table, /server web: connected, 0 restart\(s\)/);
  const json = JSON.parse(await run("--json"));
  assert.equal(json.items.length, 4);
});
