/** A pool deployed through REST (raw and multipart) and the CLI, shown in the agent view. */
import assert from "node:assert/strict";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem } from "../_support/http.ts";
import { agentBytes, tempDataDir } from "../_support/node.ts";
import { cliArgs, runCliWith, spawnServer } from "../_support/process.ts";

const POOL = new URL("../../build/agents/pool_member_as.wasm", import.meta.url).pathname;

Deno.test("REST deploys a pool raw or multipart, shows its members, and refuses a bad size", async () => {
  await using api = await startApiNode({ workers: 2 });
  const raw = await fetch(`${api.api}/agents/pool?instances=2`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("pool_member_as"),
  });
  assert.equal(raw.status, 201);
  const created = await raw.json();
  assert.equal(created.instances, 2);
  assert.deepEqual(created.members.map((m: { worker: number }) => m.worker).sort(), [0, 1]);

  const form = new FormData();
  form.set("module", new File([agentBytes("pool_member_as")], "pool.wasm"));
  form.set("instances", "3");
  const multipart = await fetch(`${api.api}/agents/pool`, { method: "PUT", body: form });
  assert.equal(multipart.status, 200);
  const reloaded = await multipart.json();
  assert.deepEqual([reloaded.version, reloaded.instances, reloaded.members.length], [2, 3, 3]);

  const shown = await (await fetch(`${api.api}/agents/pool`)).json();
  assert.equal(shown.members.length, 3);

  const ranged = await fetch(`${api.api}/agents/ranged?instances=1..3`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("pool_member_as"),
  });
  assert.equal(ranged.status, 201);
  const range = await ranged.json();
  assert.deepEqual([range.instances, range.maxInstances, range.members.length], [1, 3, 1]);

  for (
    const [query, status, code] of [
      ["instances=two", 400, "bad_query"],
      ["instances=1..x", 400, "bad_query"],
      ["instances=0", 400, "invalid_deployment"],
      ["instances=3..1", 400, "invalid_deployment"],
      ["instances=0..2", 400, "invalid_deployment"],
    ] as const
  ) {
    const res = await fetch(`${api.api}/agents/other?${query}`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("pool_member_as"),
    });
    assertProblem(
      { status: res.status, headers: res.headers, body: await res.json() },
      status,
      code,
    );
  }
  assert.equal((await fetch(`${api.api}/agents/other`)).status, 404, "nothing was deployed");
});

Deno.test("the CLI deploys a pool with --instances and shows its members", async () => {
  using dir = tempDataDir();
  await using server = await spawnServer({
    args: cliArgs("serve", "--port", "0", "--data-dir", dir.path),
    env: { CAXTON_WORKERS: "2" },
  });
  const env = { CAXTON_SERVER: server.url, NO_COLOR: "1" };
  const cli = (...args: string[]) => runCliWith({ env }, ...args);
  const deployed = await cli("agent", "deploy", "pool", POOL, "--instances", "2");
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.match(
    deployed.stdout,
    /^instances {5}2 \(#0 worker \d handled 0, #1 worker \d handled 0\)$/m,
  );

  const ranged = await cli("agent", "deploy", "ranged", POOL, "--instances", "1..4");
  assert.equal(ranged.code, 0, ranged.stderr);
  assert.match(ranged.stdout, /^instances {5}1 of 1\.\.4 \(#0 worker \d handled 0\)$/m);

  const refused = [["many", "not N or MIN..MAX"], ["4..2", ".*must be \\{min, max\\}"]] as const;
  for (const [text, why] of refused) {
    const bad = await cli("agent", "deploy", "pool2", POOL, "--instances", text);
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      new RegExp(`Cannot use --instances ${text.replace(/\./g, "\\.")}: ${why}`),
    );
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  }
});
