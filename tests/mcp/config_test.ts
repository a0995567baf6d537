/** The `mcp` settings and the tools allowlist of a deployment. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";
import { InvalidDeploymentError } from "../../src/lifecycle/mod.ts";
import { defaultMcpConfig } from "../../src/mcp/mod.ts";
import { agentBytes, startTestNode, tempDataDir } from "../_support/node.ts";
import { filesystemServer, startHttpToolServer } from "./_servers.ts";

Deno.test("mcp servers come from the config file: stdio (command, args, env) or HTTP (url, headers)", () => {
  const config = loadConfig({
    file: {
      path: "caxton.json",
      values: {
        mcp: {
          servers: {
            fs: { command: "node", args: ["server.js", "/tmp/x"], env: { A: "1" } },
            web: { url: "http://127.0.0.1:9/mcp", headers: { authorization: "Bearer t" } },
          },
          callTimeoutMs: 1_000,
        },
      },
    },
  });
  assert.deepEqual(config.mcp, {
    servers: {
      fs: { command: "node", args: ["server.js", "/tmp/x"], env: { A: "1" } },
      web: { url: "http://127.0.0.1:9/mcp", headers: { authorization: "Bearer t" } },
    },
    callTimeoutMs: 1_000,
    maxConcurrentCalls: 8,
  });
});

Deno.test("a bad mcp setting is refused with the setting, the reason and its source", () => {
  assert.throws(
    () =>
      loadConfig({ file: { path: "c.json", values: { mcp: { servers: { s: { args: [] } } } } } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /mcp\.servers\.s needs "command".*or "url".*from config file "c\.json"/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ flags: { mcp: { maxConcurrentCalls: 0 } } }),
    /mcp\.maxConcurrentCalls must be an integer from 1 to 10000 \(from the command line\)/,
  );
  assert.throws(
    () => loadConfig({ file: { path: "c.json", values: { mcp: { servers: { "a/b": {} } } } } }),
    /server names are/,
  );
});

Deno.test("a deployment's tools allowlist and tool limits are checked, stored and shown; the API takes them as ?tools= and ?toolLimits.*=", async () => {
  using data = tempDataDir();
  // Grants must name configured servers (the API refuses others): real ones, fs and web.
  await using http = startHttpToolServer();
  await using node = await startTestNode({
    dataDir: data.path,
    mcp: {
      ...defaultMcpConfig(),
      servers: { fs: filesystemServer(data.path), web: { url: http.url } },
    },
  }, { serve: true });
  await assert.rejects(
    node.agents.deploy("caller", agentBytes("tool_caller_as"), { tools: ["no-slash"] }),
    (error: unknown) =>
      error instanceof InvalidDeploymentError && /tool grant "no-slash" is not/.test(error.message),
  );
  await assert.rejects(
    node.agents.deploy("caller", agentBytes("tool_caller_as"), {
      toolLimits: { callTimeoutMs: 0 },
    }),
    /tool limit callTimeoutMs=0 must be an integer from 1 to 3600000/,
  );
  const query = "tools=fs/read_file,web/*&toolLimits.maxConcurrentCalls=2";
  const response = await fetch(`${node.url}/api/v1/agents/caller?${query}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("tool_caller_as"),
  });
  assert.equal(response.status, 201);
  const view = await response.json();
  assert.deepEqual([view.tools, view.toolLimits], [["fs/read_file", "web/*"], {
    maxConcurrentCalls: 2,
  }]);
  const stored = node.store.agents.byName("caller")!;
  assert.deepEqual([stored.tools, stored.toolLimits], [["fs/read_file", "web/*"], {
    maxConcurrentCalls: 2,
  }]);
  // A redeploy that names neither keeps both.
  await node.agents.deploy("caller", agentBytes("echo_as"));
  assert.deepEqual(node.agents.get("caller").toolLimits, { maxConcurrentCalls: 2 });
  assert.deepEqual(node.agents.get("caller").tools, ["fs/read_file", "web/*"]);
});
