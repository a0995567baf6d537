import assert from "node:assert/strict";
import { IllegalTransitionError } from "../../src/lifecycle/mod.ts";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { agentBytes, tempDataDir, until } from "../_support/node.ts";
import { filesystemServer } from "../mcp/_servers.ts";

Deno.test("lifecycle verbs are idempotent: stop of a stopped agent and start of a running one are 200 no-ops", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const again = await call(`${n.api}/agents/echo/start`, { method: "POST" });
  assert.equal(again.status, 200);
  assert.equal(again.body.state, "running");
  const stopped = await call(`${n.api}/agents/echo/stop`, { method: "POST" });
  assert.equal(stopped.body.state, "stopped");
  const twice = await call(`${n.api}/agents/echo/stop`, { method: "POST" });
  assert.equal(twice.status, 200, JSON.stringify(twice.body));
  assert.equal(twice.body.state, "stopped");
  assert.equal(twice.body.updatedAt, stopped.body.updatedAt, "nothing changed");
  const history = await call(`${n.api}/agents/echo/history`);
  assert.equal(
    history.body.transitions.filter((t: { to: string }) => t.to === "stopped").length,
    1,
    "the second stop recorded no transition",
  );
});

Deno.test("a refused lifecycle move speaks of the verb and the state a user sees", () => {
  const error = new IllegalTransitionError("echo", "unloaded", "draining");
  assert.equal(
    error.message,
    'Cannot stop agent "echo": it is unloaded (not deployed); deploy it first',
    "the intermediate step of a stop (draining) is not a user's word",
  );
});

Deno.test("updatedAt moves with every lifecycle change, without a restart", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const before = (await call(`${n.api}/agents/echo`)).body;
  await until(() => Date.now() > Date.parse(before.updatedAt), "the clock to move past updatedAt");
  const stopped = (await call(`${n.api}/agents/echo/stop`, { method: "POST" })).body;
  assert.ok(Date.parse(stopped.updatedAt) > Date.parse(before.updatedAt), "stop moved updatedAt");
  assert.equal(stopped.createdAt, before.createdAt);
  const got = (await call(`${n.api}/agents/echo`)).body;
  assert.equal(got.updatedAt, stopped.updatedAt, "GET shows it too");
  const history = (await call(`${n.api}/agents/echo/history`)).body;
  assert.equal(got.updatedAt, history.transitions.at(-1).at, "the time of the last transition");
});

Deno.test("tool grants naming no configured MCP server are refused with the servers there are", async () => {
  await using bare = await startApiNode();
  const refused = await call(`${bare.api}/agents/echo?tools=files/read_text_file`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assertProblem(refused, 400, "unknown_tool_server");
  assert.match(refused.body.detail, /no MCP server is configured on this node/);
  assertProblem(await call(`${bare.api}/agents/echo`), 404, "agent_not_found");

  using root = tempDataDir();
  await using n = await startApiNode({
    mcp: { ...defaultMcpConfig(), servers: { files: filesystemServer(root.path) } },
  });
  const typo = await call(`${n.api}/agents/echo?tools=file/read_text_file`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assertProblem(typo, 400, "unknown_tool_server");
  assert.match(typo.body.detail, /the configured MCP servers are "files"/);
  const granted = await call(`${n.api}/agents/echo?tools=files/read_text_file`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(granted.status, 201, JSON.stringify(granted.body));
  assert.deepEqual((await call(`${n.api}/agents/echo`)).body.tools, ["files/read_text_file"]);
});
