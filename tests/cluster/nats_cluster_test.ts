/**
 * Caxton on a 3-server NATS cluster with its KV buckets replicated 3 times
 * (`cluster.replicas`): kill -9 of one NATS server leaves the registry,
 * membership and messages working, because JetStream keeps quorum on two.
 */
import assert from "node:assert/strict";
import { agentBytes, until } from "../_support/node.ts";
import { call } from "../_support/http.ts";
import { type ClusterNode, startClusterNode, waitForPeers } from "../_support/nats.ts";
import { startNatsCluster } from "../_support/nats_cluster.ts";

function deploy(via: ClusterNode, name: string, node: string) {
  return call(`${via.api}/agents/${name}?node=${node}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
}

function ask(via: ClusterNode, agent: string, content: string) {
  return call(`${via.api}/agents/${agent}/request?timeout=10000`, {
    method: "POST",
    json: { content },
  });
}

Deno.test("3 NATS servers, buckets with 3 replicas: one server killed, names, membership and messages still work", async () => {
  await using nats = await startNatsCluster(3);
  const dir = Deno.makeTempDirSync({ prefix: "caxton-replicas-" });
  try {
    const config = `${dir}/caxton.json`;
    Deno.writeTextFileSync(config, JSON.stringify({ cluster: { replicas: 3 } }));
    const args = ["--config", config];
    await using a = await startClusterNode(nats.urls, "node-a", { args });
    await using b = await startClusterNode(nats.urls, "node-b", { args });
    await waitForPeers(a, 2);
    const first = await deploy(a, "echo-b", "node-b");
    assert.equal(first.status, 201, JSON.stringify(first.body));
    await until(async () => (await ask(a, "echo-b", "before")).status === 200, "A reaches echo-b");

    nats.servers[0]!.process.kill("SIGKILL");
    await nats.servers[0]!.process.status;
    // Both nodes fail over to a live server; the replicated buckets keep quorum.
    await until(
      async () => {
        const res = await deploy(b, "echo-after", "node-b");
        return res.status === 201;
      },
      "a new name claimed after the server loss",
      20_000,
    );
    for (const node of [a, b]) {
      await until(
        async () => {
          const seen = (await call(`${node.api}/cluster`)).body;
          return seen.connected && seen.nodes.every((n: { state: string }) => n.state === "joined");
        },
        `${node.name} connected, both joined`,
        20_000,
      );
    }
    // A's registry copy learns the new name by its watch (restarted if its consumer was lost).
    let answer = await ask(a, "echo-after", "after");
    await until(
      async () => (answer = await ask(a, "echo-after", "after")).status === 200,
      "A knows it",
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.content, "after");
    assert.equal((await ask(a, "echo-b", "still")).body.content, "still");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
