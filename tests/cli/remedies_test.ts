import assert from "node:assert/strict";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import { wat } from "../_support/wat.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { tempDataDir } from "../_support/node.ts";
import { runCliWith } from "../_support/process.ts";
import { filesystemServer } from "../mcp/_servers.ts";

const ECHO = new URL("../../build/agents/echo_wat.wasm", import.meta.url).pathname;

/** Handles every message and never answers. */
const SILENT = wat(`(module
  (memory (export "memory") 1)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);

/** No HTTP advice and no placeholder may reach a person at the command line. */
function assertCliWords(stderr: string): void {
  assert.doesNotMatch(stderr, /\{name\}|\?timeout|POST |GET \/|PUT \//, stderr);
}

Deno.test("CLI errors give CLI remedies, filled in with the agent's name", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await n.node.agents.deploy("silent", SILENT);
  const cli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" } }, ...args);

  assert.equal((await cli("agent", "stop", "echo")).code, 0);
  const again = await cli("agent", "stop", "echo");
  assert.equal(again.code, 0, `stopping a stopped agent is a no-op: ${again.stderr}`);
  assert.match(again.stdout, /^echo {2}stopped/);

  const toStopped = await cli("message", "send", "echo", '"hi"');
  assert.equal(toStopped.code, 5);
  assert.match(
    toStopped.stderr,
    /— start it with `caxton agent start echo`, or retry in a moment\n$/,
  );
  assertCliWords(toStopped.stderr);
  const reload = await cli("agent", "reload", "echo");
  assert.equal(reload.code, 5);
  assert.match(reload.stderr, /— start it with `caxton agent start echo`\n$/);
  assertCliWords(reload.stderr);

  const late = await cli("message", "send", "silent", '"x"', "--timeout", "100");
  assert.equal(late.code, 6);
  assert.match(
    late.stderr,
    /^caxton: No reply from "silent" within 100 ms — wait longer with --timeout MS \(this waited 100 ms\); `caxton agent logs silent` shows whether it failed\n$/,
  );
  assertCliWords(late.stderr);

  const missing = await cli("agent", "get", "nobody");
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /— `caxton agent list` shows the agents deployed here\n$/);
});

Deno.test("the --limit example the CLI suggests is one the server accepts", async () => {
  await using n = await startApiNode();
  const cli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" } }, ...args);
  const malformed = await cli("agent", "deploy", "e1", ECHO, "--limit", "memoryPages");
  assert.equal(malformed.code, 2);
  const suggested = malformed.stderr.match(/e\.g\. (\w+=\d+)/)?.[1];
  assert.ok(suggested, malformed.stderr);
  const followed = await cli("agent", "deploy", "e1", ECHO, "--limit", suggested);
  assert.equal(followed.code, 0, `the suggestion ${suggested} is accepted: ${followed.stderr}`);

  const unknown = await cli("agent", "deploy", "e2", ECHO, "--limit", "maxMemoryPages=16");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /known limits are fuelPerMessage, deadlineMs, memoryPages/);
  const hinted = unknown.stderr.match(/e\.g\. --limit (\w+=\d+)/)?.[1];
  assert.ok(hinted, unknown.stderr);
  assert.equal((await cli("agent", "deploy", "e2", ECHO, "--limit", hinted)).code, 0);
  assertCliWords(unknown.stderr);
});

Deno.test("--tool is refused without a configured MCP server; `agent get` shows granted tools", async () => {
  await using bare = await startApiNode();
  const refused = await runCliWith(
    { env: { CAXTON_SERVER: bare.url, NO_COLOR: "1" } },
    "agent",
    "deploy",
    "echo",
    ECHO,
    "--tool",
    "files/read_text_file",
  );
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /^caxton: Cannot grant "files\/read_text_file" to agent "echo": no MCP server is configured on this node — grant tools of a configured server \(`caxton tool list`\)/,
  );

  using root = tempDataDir();
  await using n = await startApiNode({
    mcp: { ...defaultMcpConfig(), servers: { files: filesystemServer(root.path) } },
  });
  const cli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" } }, ...args);
  const deployed = await cli(
    "agent",
    "deploy",
    "echo",
    ECHO,
    "--tool",
    "files/read_text_file",
    "--tool",
    "files/list_directory",
  );
  assert.equal(deployed.code, 0, deployed.stderr);
  const shown = await cli("agent", "get", "echo");
  assert.match(shown.stdout, /^tools {9}files\/read_text_file, files\/list_directory$/m);
});
