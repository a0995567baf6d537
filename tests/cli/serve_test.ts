import assert from "node:assert/strict";
import { agentBytes, tempDataDir } from "../_support/node.ts";
import { runCli, spawnServer, startServer } from "../_support/process.ts";

Deno.test("`caxton serve` answers probes, deploys an agent over HTTP and stops on SIGTERM", async () => {
  using dir = tempDataDir();
  await using server = await startServer("--data-dir", dir.path);
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");
  const ready = await fetch(`${server.url}/ready`);
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).status, "ready");
  const deployed = await fetch(`${server.url}/api/v1/agents/echo`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(deployed.status, 201);
  assert.equal((await deployed.json()).state, "running");
  const bad = await fetch(`${server.url}/api/v1/agents/bad`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("forbidden_import"),
  });
  assert.equal(bad.status, 422);
  assert.equal(bad.headers.get("content-type"), "application/problem+json");
  const problem = await bad.json();
  assert.match(problem.detail, /wasi_snapshot_preview1/);
  assert.ok(problem.type && problem.remedy);
  const missing = await fetch(`${server.url}/api/v1/agents/nobody`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).type, /agent_not_found$/);
  server.process.kill("SIGTERM");
  assert.equal((await server.process.status).code, 0);
});

Deno.test("`caxton backup` copies a live database that `caxton restore` brings back in a fresh node", async () => {
  using dir = tempDataDir();
  using fresh = tempDataDir();
  const backup = `${dir.path}/snapshot.db`;
  {
    await using server = await startServer("--data-dir", dir.path);
    for (const name of ["echo", "counter"]) {
      const res = await fetch(`${server.url}/api/v1/agents/${name}`, {
        method: "PUT",
        headers: { "content-type": "application/wasm" },
        body: agentBytes(`${name}_wat`),
      });
      assert.equal(res.status, 201);
    }
    const taken = await runCli("backup", backup, "--data-dir", dir.path);
    assert.equal(taken.code, 0, taken.stderr);
    const again = await runCli("backup", backup, "--data-dir", dir.path);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^caxton: Cannot back up to .*exists/);
  }
  const restored = await runCli("restore", backup, "--data-dir", fresh.path);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /restored 2 agent/);
  await using server = await startServer("--data-dir", fresh.path);
  const list = await (await fetch(`${server.url}/api/v1/agents`)).json();
  assert.deepEqual(list.items.map((a: { name: string; state: string }) => [a.name, a.state]), [
    ["counter", "running"],
    ["echo", "running"],
  ]);
});

Deno.test("the CLI refuses bad input with one line and a usage exit code", async () => {
  const unknown = await runCli("frobnicate");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^caxton: unknown command "frobnicate"/);
  const badPort = await runCli("serve", "--port", "eighty");
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /port="eighty" from the command line/);
  const noFile = await runCli("restore", "/nonexistent/backup.db", "--data-dir", "/tmp/caxton-x");
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /no such file/);
});

Deno.test("the README's `deno task start` serves on its embedded defaults", async () => {
  using dir = tempDataDir();
  // The README command exactly, with only the port and data dir moved aside so tests can run anywhere.
  await using server = await spawnServer({
    args: ["task", "start"],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { CAXTON_PORT: "0", CAXTON_DATA_DIR: dir.path, NO_COLOR: "1" },
  });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/, "loopback by default");
  assert.equal((await (await fetch(`${server.url}/ready`)).json()).status, "ready");
  assert.ok(Deno.statSync(`${dir.path}/caxton.db`).isFile, "the embedded SQLite file is created");
});
