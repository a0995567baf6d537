/**
 * One registry of agent names for the cluster (compare-and-set in NATS KV):
 * a name deployed on one node is refused on another, naming the node.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";

/** Deploys on the node behind `api` (`node` pins it: placement could send it elsewhere). */
function deploy(api: string, name: string, node?: string): ReturnType<typeof call> {
  return call(`${api}/agents/${name}${node ? `?node=${node}` : ""}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
}

Deno.test("the same name deployed on two nodes at the same moment: exactly one wins, the other gets 409 naming it", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  for (let round = 0; round < 3; round++) {
    const name = `twin-${round}`;
    const [ra, rb] = await Promise.all([deploy(a.api, name, a.name), deploy(b.api, name, b.name)]);
    const statuses = [ra.status, rb.status].sort();
    assert.deepEqual(statuses, [201, 409], JSON.stringify([ra.body, rb.body]));
    const [winner, loser] = ra.status === 201 ? [a, rb] : [b, ra];
    assertProblem(loser, 409, "agent_name_taken");
    assert.equal(loser.body.node, winner.name);
    assert.match(loser.body.detail, new RegExp(`lives on node "${winner.name}"`));
  }
});

Deno.test("a removed agent's name is free again on every node; a redeploy on its own node is fine", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  assert.equal((await deploy(a.api, "echo")).status, 201);
  assert.equal((await deploy(a.api, "echo")).status, 200, "a new version on the same node");
  assertProblem(await deploy(b.api, "echo"), 409, "agent_name_taken");
  assert.equal((await call(`${a.api}/agents/echo`, { method: "DELETE" })).status, 204);
  assert.equal((await deploy(b.api, "echo")).status, 201);
  assertProblem(await deploy(a.api, "echo"), 409, "agent_name_taken");
});

Deno.test("a restarted node keeps its agents' names: another node still cannot take them", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-cluster-" });
  try {
    {
      await using b = await startClusterNode(nats.url, "node-b", { dataDir });
      assert.equal((await deploy(b.api, "keeper")).status, 201);
    }
    await using b = await startClusterNode(nats.url, "node-b", { dataDir });
    assert.equal((await call(`${b.api}/agents/keeper`)).body.state, "running");
    assertProblem(await deploy(a.api, "keeper"), 409, "agent_name_taken");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});
