/**
 * API keys across nodes: a key exists only on the node it was made on, yet
 * it works for agents on every node, because the node that checked it
 * forwards the caller sealed (src/cluster/forward_seal.ts). A seal not made
 * with the cluster's secret is refused.
 */
import assert from "node:assert/strict";
import { agentBytes, tempDataDir } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { runCliWith } from "../_support/process.ts";
import { startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

/** An API key made offline in `dataDir` (a node that requires credentials needs one to start). */
async function offlineKey(dataDir: string, role: string): Promise<string> {
  const made = await runCliWith(
    { env: { NO_COLOR: "1" } },
    "key",
    "create",
    "--role",
    role,
    "--offline",
    "--data-dir",
    dataDir,
    "--json",
  );
  assert.equal(made.code, 0, made.stderr);
  return JSON.parse(made.stdout).key;
}

Deno.test("a key made on node A works through A on an agent of node B; B alone refuses it; a forged seal is refused", async () => {
  using dirA = tempDataDir();
  using dirB = tempDataDir();
  const adminA = await offlineKey(dirA.path, "admin");
  const viewerA = await offlineKey(dirA.path, "viewer");
  // B's own credential: a static token (what A's key is to A).
  const adminB = "node-b-own-token-0123456789";
  await using nats = await startNats();
  const env = { CAXTON_AUTH: "required" };
  await using a = await startClusterNode(nats.url, "node-a", { dataDir: dirA.path, env });
  await using b = await startClusterNode(nats.url, "node-b", {
    dataDir: dirB.path,
    env: { ...env, CAXTON_API_TOKEN: adminB },
  });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  // Deployed on B through A with A's key: the deploy itself is forwarded.
  await waitForPeers(a, 2, as(adminA));
  const deployed = await call(`${a.api}/agents/echo?node=node-b`, {
    method: "PUT",
    headers: { ...as(adminA), "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  assert.equal((await call(`${b.api}/agents/echo`, { headers: as(adminB) })).body.state, "running");

  const stopped = await call(`${a.api}/agents/echo/stop`, { method: "POST", headers: as(adminA) });
  assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
  assert.equal(stopped.headers.get("x-caxton-node"), "node-b");
  assert.equal((await call(`${b.api}/agents/echo`, { headers: as(adminB) })).body.state, "stopped");
  // The role travels with the caller: A's viewer may read B's agent, not start it.
  assert.equal((await call(`${a.api}/agents/echo`, { headers: as(viewerA) })).status, 200);
  assertProblem(
    await call(`${a.api}/agents/echo/start`, { method: "POST", headers: as(viewerA) }),
    403,
    "forbidden",
  );
  // B never saw A's key: asked directly, it refuses it.
  assertProblem(await call(`${b.api}/agents/echo`, { headers: as(adminA) }), 401, "unauthorized");

  const caller = btoa(JSON.stringify({
    id: "intruder",
    kind: "api_key",
    role: "admin",
    self: null,
    expiresAt: null,
  })).replaceAll("=", "");
  const forged = await call(`${b.api}/agents/echo`, {
    method: "DELETE",
    headers: {
      "x-caxton-forwarded-by": "0123456789abcdef",
      "x-caxton-caller": caller,
      "x-caxton-seal": `${Date.now()}.${"ab".repeat(32)}`,
    },
  });
  assertProblem(forged, 401, "unauthorized");
  assert.match(forged.body.detail, /seal does not verify/);
  assert.equal((await call(`${b.api}/agents/echo`, { headers: as(adminB) })).status, 200);
});
