/**
 * Agents and conversations as MCP resources, and the endpoint's answer to
 * GET/DELETE, through the SDK's client over `/mcp`; log notifications at the
 * level the client set, over `caxton mcp` (stdio holds a session, so a level
 * lasts).
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { agentBytes, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { connectStdioMcp } from "../_support/mcp_stdio.ts";

Deno.test("agents and conversations are resources a client lists and reads", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  await node.agents.deploy("describer", agentBytes("describer_as"));
  const client = new Client({ name: "test-llm", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${node.url}/mcp`)));
  try {
    // Accepted over HTTP too (a stateless exchange answered with JSON carries no notifications).
    assert.ok(client.getServerCapabilities()?.logging);
    await client.setLoggingLevel("debug");
    const templates = (await client.listResourceTemplates()).resourceTemplates
      .map((t: { uriTemplate: string }) => t.uriTemplate).sort();
    assert.deepEqual(templates, ["caxton://agents/{name}", "caxton://conversations/{id}"]);

    await client.callTool({
      name: "request",
      arguments: { receiver: "describer", content: "wave", conversationId: "conv-r" },
    });
    const listed = (await client.listResources()).resources.map((r: { uri: string }) => r.uri);
    assert.ok(listed.includes("caxton://agents/describer"), String(listed));
    assert.ok(listed.includes("caxton://conversations/conv-r"), String(listed));

    const agent = await client.readResource({ uri: "caxton://agents/describer" });
    const shown = JSON.parse((agent.contents[0] as { text: string }).text);
    assert.equal(agent.contents[0]!.mimeType, "application/json");
    assert.equal(shown.name, "describer");
    assert.deepEqual(shown.capabilities[0], {
      name: "greet",
      description: "Greets the person named in who",
      example: { who: "Ada" },
    });

    const conversation = await client.readResource({ uri: "caxton://conversations/conv-r" });
    const read = JSON.parse((conversation.contents[0] as { text: string }).text);
    assert.equal(read.conversationId, "conv-r");
    assert.deepEqual(
      read.deliveries.map((d: { receiver: string; message: { performative: string } }) => [
        d.receiver,
        d.message.performative,
      ]),
      [["describer", "request"], [read.deliveries[1].receiver, "inform"]],
    );

    await assert.rejects(
      client.readResource({ uri: "caxton://agents/nobody" }),
      /No agent "nobody"/,
    );
  } finally {
    await client.close();
  }
});

Deno.test("GET and DELETE /mcp answer 405 with Allow: POST (a stateless endpoint has no stream and no session)", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  for (const method of ["GET", "DELETE"]) {
    const response = await fetch(`${node.url}/mcp`, {
      method,
      headers: { accept: "application/json, text/event-stream" },
    });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "POST");
    assert.match((await response.json()).error.message, /stateless/);
  }
});

Deno.test("over stdio, logging/setLevel is honoured: below the level nothing is sent, at it the notification arrives", async () => {
  using data = tempDataDir();
  {
    await using node = await startTestNode({ dataDir: data.path });
    await node.agents.deploy("echo", agentBytes("echo_as"));
  }
  const received: { level: string; data: unknown }[] = [];
  await using mcp = await connectStdioMcp(data.path, {
    beforeConnect: (client) =>
      client.setNotificationHandler(
        LoggingMessageNotificationSchema,
        (n: { params: { level: string; data?: unknown } }) => {
          received.push({ level: n.params.level, data: n.params.data });
        },
      ),
  });
  const client = mcp.client;
  assert.ok(client.getServerCapabilities()?.logging, "the server declares logging");
  await client.setLoggingLevel("warning");
  // Answered (info) and sent (debug): both below warning.
  await client.callTool({ name: "request", arguments: { receiver: "echo", content: "a" } });
  // Answered with a failure (no such agent): a warning, the positive signal that notifications flow.
  await client.callTool({ name: "request", arguments: { receiver: "nobody", content: "b" } });
  await until(() => received.length > 0, "a warning notification");
  assert.deepEqual(received.map((r) => r.level), ["warning"]);
  assert.match(String(received[0]!.data), /"nobody" answered failure/);

  received.length = 0;
  await client.setLoggingLevel("debug");
  await client.callTool({ name: "request", arguments: { receiver: "echo", content: "c" } });
  await until(() => received.length >= 2, "debug and info notifications");
  assert.deepEqual(received.map((r) => r.level), ["debug", "info"]);
  assert.match(String(received[0]!.data), /sent request to "echo"/);
  assert.match(String(received[1]!.data), /"echo" answered inform/);
});
