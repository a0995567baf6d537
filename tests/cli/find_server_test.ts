import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDataDir } from "../_support/node.ts";
import { cliArgs, runCliWith, spawnServer } from "../_support/process.ts";

/** A loopback port nothing listens on: bound, then freed. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

// No CLI file from the machine running the tests, and no ./.caxton beside the test's cwd.
function isolated(dir: string, env: Record<string, string>): Record<string, string> {
  return { XDG_CONFIG_HOME: join(dir, "no-config"), NO_COLOR: "1", ...env };
}

Deno.test("the CLI finds a node started with CAXTON_PORT through the same CAXTON_PORT", async () => {
  using dir = tempDataDir();
  using elsewhere = tempDataDir();
  const port = freePort();
  await using server = await spawnServer({
    args: cliArgs("serve"),
    env: { CAXTON_PORT: String(port), CAXTON_DATA_DIR: join(dir.path, "data") },
  });
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  // From another directory, whose ./.caxton holds no node: only the port leads to it.
  const env = isolated(dir.path, { CAXTON_PORT: String(port) });
  const status = await runCliWith({ env, cwd: elsewhere.path }, "server", "status", "--json");
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).server, server.url);
  assert.equal(JSON.parse(status.stdout).foundBy, "CAXTON_HOST/CAXTON_PORT");
  const list = await runCliWith({ env, cwd: elsewhere.path }, "agent", "list");
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^no agents/);
});

Deno.test("the CLI finds a running node through the URL it recorded in its data dir", async () => {
  using dir = tempDataDir();
  using elsewhere = tempDataDir();
  const data = join(dir.path, "data");
  // Port 0: only the node knows its port, and says it in data/node.json.
  await using server = await spawnServer({
    args: cliArgs("serve", "--port", "0"),
    env: { CAXTON_DATA_DIR: data },
  });
  const viaEnv = await runCliWith(
    { env: isolated(dir.path, { CAXTON_DATA_DIR: data }), cwd: elsewhere.path },
    "server",
    "status",
    "--json",
  );
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.equal(JSON.parse(viaEnv.stdout).server, server.url);
  assert.equal(
    JSON.parse(viaEnv.stdout).foundBy,
    `running node pid ${server.process.pid} recorded in ${data}/node.json`,
  );
  const viaFlag = await runCliWith(
    { env: isolated(dir.path, {}), cwd: elsewhere.path },
    "server",
    "status",
    "--json",
    "--data-dir",
    data,
  );
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  assert.equal(JSON.parse(viaFlag.stdout).server, server.url);
  // The working directory's ./.caxton, as `deno task start` from a clone leaves it.
  const viaCwd = await runCliWith(
    { env: isolated(dir.path, {}), cwd: dir.path },
    "server",
    "status",
    "--json",
    "--data-dir",
    "data",
  );
  assert.equal(JSON.parse(viaCwd.stdout).server, server.url);
});

Deno.test("without a server the CLI says every URL it tried and why", async () => {
  using dir = tempDataDir();
  const port = freePort();
  const stale = freePort();
  const data = join(dir.path, "data");
  Deno.mkdirSync(data);
  // A record left by a node killed with -9: a hint the CLI tries, then says so.
  Deno.writeTextFileSync(
    join(data, "node.json"),
    JSON.stringify({ pid: 99999, url: `http://127.0.0.1:${stale}`, version: "0", startedAt: "" }),
  );
  const res = await runCliWith(
    { env: isolated(dir.path, { CAXTON_PORT: String(port), CAXTON_DATA_DIR: data }) },
    "agent",
    "list",
  );
  assert.equal(res.code, 4);
  assert.equal(
    res.stderr.trim(),
    `caxton: no server at http://127.0.0.1:${stale} (from running node pid 99999 recorded in ${data}/node.json), nor at http://127.0.0.1:${port} (from CAXTON_HOST/CAXTON_PORT) — start one with \`caxton serve\`, or point to yours with --server URL or CAXTON_SERVER`,
  );
  // The server's config file, named as `caxton serve` reads it (CAXTON_CONFIG or --config).
  const configured = freePort();
  const file = join(dir.path, "caxton.json");
  Deno.writeTextFileSync(file, JSON.stringify({ port: configured }));
  const fromFile = await runCliWith(
    { env: isolated(dir.path, { CAXTON_CONFIG: file }), cwd: dir.path },
    "agent",
    "list",
  );
  assert.equal(fromFile.code, 4);
  assert.match(
    fromFile.stderr,
    new RegExp(
      `^caxton: no server at http://127\\.0\\.0\\.1:${configured} \\(from config file "${file}"\\)`,
    ),
  );
});
