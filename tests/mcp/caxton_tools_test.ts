/**
 * Caxton's MCP tools as a model reads them, through the SDK's client over
 * `/mcp`: titles, a description for every input, annotations, output schemas
 * that results validate against (checked with ajv), and agents' own word on
 * what they expect.
 */
import assert from "node:assert/strict";
import { Ajv } from "ajv/dist/ajv.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { agentBytes, startTestNode, tempDataDir } from "../_support/node.ts";

type _Tool = {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { properties?: Record<string, Record<string, unknown>> };
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
};

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "test-llm", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

Deno.test("every tool has a title, described inputs with real schemas, annotations and an output schema its results validate against", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  await node.agents.deploy("echo", agentBytes("echo_as"));
  const client = await connect(node.url!);
  try {
    const tools = (await client.listTools()).tools as _Tool[];
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const tool of tools) {
      assert.ok(tool.title, `${tool.name} has a title`);
      assert.ok(tool.description, `${tool.name} has a description`);
      assert.equal(tool.outputSchema?.type, "object", `${tool.name} has an output schema`);
      assert.ok(tool.annotations, `${tool.name} has annotations`);
      for (const [property, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        assert.equal(
          typeof schema.description,
          "string",
          `${tool.name}.${property} is described`,
        );
        // A schema with nothing but a description accepts anything and tells a model nothing.
        const keys = Object.keys(schema).filter((k) => k !== "description");
        assert.ok(keys.length > 0, `${tool.name}.${property} has a schema, got ${keys}`);
      }
    }
    for (const reading of ["list_agents", "read_conversation"]) {
      assert.equal(byName.get(reading)?.annotations?.readOnlyHint, true, reading);
      assert.equal(byName.get(reading)?.annotations?.idempotentHint, true, reading);
    }
    for (const acting of ["send_message", "request"]) {
      assert.equal(byName.get(acting)?.annotations?.readOnlyHint, false, acting);
      assert.equal(byName.get(acting)?.annotations?.destructiveHint, true, acting);
    }

    // Each tool's structuredContent validates against its outputSchema.
    const ajv = new Ajv({ strict: false, allErrors: true });
    const check = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      const validate = ajv.compile(byName.get(name)!.outputSchema!);
      assert.ok(
        validate(result.structuredContent),
        `${name}: ${JSON.stringify(validate.errors)} in ${
          JSON.stringify(result.structuredContent)
        }`,
      );
      return result.structuredContent as Record<string, unknown>;
    };
    await check("list_agents", {});
    await check("request", { receiver: "echo", content: { hello: "world" }, conversationId: "c1" });
    await check("send_message", { receiver: "echo", performative: "inform", content: [1, 2] });
    const read = await check("read_conversation", { conversationId: "c1" });
    assert.ok((read.deliveries as unknown[]).length >= 1);
  } finally {
    await client.close();
  }
});

Deno.test("list_agents shows the description and content example an agent gave its capabilities, at deploy or from its own code", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  // Declared by the deployment (REST multipart, as the docs show).
  const form = new FormData();
  form.set("module", new File([agentBytes("echo_as")], "echo.wasm"));
  form.set(
    "capabilities",
    JSON.stringify([{
      name: "echo",
      description: "Answers inform with the content it was sent",
      example: "hello",
    }]),
  );
  const deployed = await fetch(`${node.url}/api/v1/agents/echo`, { method: "PUT", body: form });
  assert.equal(deployed.status, 201, await deployed.text());
  // Declared by the agent's code through register_capability (JSON text).
  await node.agents.deploy("describer", agentBytes("describer_as"));

  const client = await connect(node.url!);
  try {
    const listAgents = async () => {
      const result = await client.callTool({ name: "list_agents", arguments: {} });
      const { agents } = result.structuredContent as {
        agents: { name: string; capabilities: Record<string, unknown>[] }[];
      };
      return new Map(agents.map((a) => [a.name, a.capabilities]));
    };
    let agents = await listAgents();
    assert.deepEqual(agents.get("echo"), [{
      name: "echo",
      description: "Answers inform with the content it was sent",
      example: "hello",
    }]);
    assert.deepEqual(agents.get("describer"), [{
      name: "greet",
      description: "Greets the person named in who",
      example: { who: "Ada" },
    }]);

    // A later declaration of the same name replaces the description; a bad one is refused (-1).
    const ask = async (content: string) => {
      const result = await client.callTool({
        name: "request",
        arguments: { receiver: "describer", content },
      });
      return (result.structuredContent as { reply: { content: unknown } }).reply.content;
    };
    assert.equal(await ask('{"name":"greet","description":"Says hello"}'), 0);
    assert.equal(await ask('{"name":"greet","colour":"red"}'), -1);
    assert.equal(await ask("{not json"), -1);
    // A bare name again (as caxton_init registers after a restart) keeps the description.
    assert.equal(await ask("greet"), 0);
    agents = await listAgents();
    assert.deepEqual(agents.get("describer"), [{ name: "greet", description: "Says hello" }]);
  } finally {
    await client.close();
  }

  // A deployment's malformed declaration is refused with the reason.
  const bad = new FormData();
  bad.set("module", new File([agentBytes("echo_as")], "echo.wasm"));
  bad.set("capabilities", JSON.stringify([{ name: "echo", description: 7 }]));
  const refused = await fetch(`${node.url}/api/v1/agents/other`, { method: "PUT", body: bad });
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).detail, /capability "echo": description must be text/);
});

Deno.test("a deployment's capability description survives a restart, where caxton_init registers the bare name again", async () => {
  using data = tempDataDir();
  const declared = { name: "echo", description: "Answers with what it gets", example: "hi" };
  {
    await using node = await startTestNode({ dataDir: data.path });
    await node.agents.deploy("echo", agentBytes("echo_as"), { capabilities: [declared] });
  }
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  const client = await connect(node.url!);
  try {
    const result = await client.callTool({ name: "list_agents", arguments: {} });
    const { agents } = result.structuredContent as { agents: { capabilities: unknown[] }[] };
    assert.deepEqual(agents[0]!.capabilities, [declared]);
  } finally {
    await client.close();
  }
});

Deno.test("list_agents pages by cursor in name order, as the REST listing does", async () => {
  using data = tempDataDir();
  await using node = await startTestNode({ dataDir: data.path }, { serve: true });
  const names = ["a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "a-7"];
  await node.agents.deployMany([...names].reverse(), agentBytes("echo_wat"));
  const client = await connect(node.url!);
  try {
    const seen: string[][] = [];
    let after: string | undefined;
    do {
      const result = await client.callTool({
        name: "list_agents",
        arguments: after === undefined ? { limit: 3 } : { limit: 3, after },
      });
      const page = result.structuredContent as { agents: { name: string }[]; next: string | null };
      seen.push(page.agents.map((a) => a.name));
      after = page.next ?? undefined;
    } while (after !== undefined);
    assert.deepEqual(seen, [["a-1", "a-2", "a-3"], ["a-4", "a-5", "a-6"], ["a-7"]]);
    const tooMany = await client.callTool({ name: "list_agents", arguments: { limit: 100_000 } });
    assert.equal(tooMany.isError, true, "a page is at most 500 agents");
  } finally {
    await client.close();
  }
});
