/**
 * Membership over a real nats-server: nodes see each other join, see a
 * killed node go within seconds, and see a node that stops cleanly leave.
 */
import assert from "node:assert/strict";
import { runCli } from "../_support/process.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";

interface _Status {
  self: string;
  connected: boolean;
  nodes: { id: string; name: string; state: string; self: boolean; api: string | null }[];
}

async function status(api: string): Promise<_Status> {
  const res = await fetch(`${api}/cluster`);
  assert.equal(res.status, 200);
  return await res.json();
}

/** Polls `api` until node `name` is in `state`. */
async function waitFor(api: string, name: string, state: string, ms = 10_000): Promise<void> {
  let last: _Status | undefined;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    last = await status(api);
    if (last.nodes.some((n) => n.name === name && n.state === state)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} not ${state} within ${ms} ms: ${JSON.stringify(last?.nodes)}`);
}

Deno.test("two nodes see each other: GET /api/v1/cluster and caxton cluster status", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await waitFor(a.api, "node-b", "joined");
  await waitFor(b.api, "node-a", "joined");
  // The first heartbeat may go out before the API listens: its address follows with the next.
  let seen = await status(a.api);
  for (let i = 0; seen.nodes[1]?.api == null && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await status(a.api);
  }
  assert.equal(seen.connected, true);
  assert.deepEqual(seen.nodes.map((n) => [n.name, n.self]), [["node-a", true], ["node-b", false]]);
  assert.equal(seen.nodes[1]!.api, b.url, "a peer's API address is known");

  const cli = await runCli("cluster", "status", "--server", b.url);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /node-b \(this\).*joined/);
  assert.match(cli.stdout, /node-a\s.*joined/);
  const json = await runCli("cluster", "status", "--server", b.url, "--json");
  assert.equal(JSON.parse(json.stdout).nodes.length, 2);
});

Deno.test("kill -9 of a node is seen by its peer as gone within seconds", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await waitFor(a.api, "node-b", "joined");
  const killedAt = Date.now();
  await b.kill();
  await waitFor(a.api, "node-b", "gone");
  const ms = Date.now() - killedAt;
  console.log(`node-b seen gone by node-a ${ms} ms after kill -9`);
  assert.ok(ms < 10_000, `seen gone after ${ms} ms`);
});

Deno.test("a node that stops cleanly is gone for its peer at once, and back when it restarts", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-cluster-" });
  try {
    let bId: string;
    {
      await using b = await startClusterNode(nats.url, "node-b", { dataDir });
      await waitFor(a.api, "node-b", "joined");
      bId = (await status(b.api)).self;
    }
    await waitFor(a.api, "node-b", "gone");
    await using b2 = await startClusterNode(nats.url, "node-b", { dataDir });
    assert.equal((await status(b2.api)).self, bId, "the node id is kept in the data dir");
    await waitFor(a.api, "node-b", "joined");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("a node without --cluster answers 404 not_clustered and caxton cluster status says so", async () => {
  const { startServer } = await import("../_support/process.ts");
  const dir = Deno.makeTempDirSync({ prefix: "caxton-standalone-" });
  try {
    await using server = await startServer("--data-dir", dir);
    const res = await fetch(`${server.url}/api/v1/cluster`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).type, "https://caxton.dev/problems/not_clustered");
    const cli = await runCli("cluster", "status", "--server", server.url);
    assert.equal(cli.code, 3, "exit 3: not found");
    assert.match(cli.stderr, /not part of a cluster/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
