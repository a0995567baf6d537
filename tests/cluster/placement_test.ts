/**
 * Placement: any node's API and CLI deploy on the node `?node=` / `--node`
 * names (the deploy is forwarded there); without it a new agent goes to the
 * member with the fewest agents (docs/CLUSTER.md).
 */
import assert from "node:assert/strict";
import { agentBytes, until } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { runCli } from "../_support/process.ts";
import { type ClusterNode, startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

function deploy(via: ClusterNode, name: string, node?: string) {
  const query = node === undefined ? "" : `?node=${node}`;
  return call(`${via.api}/agents/${name}${query}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
}

/** Whether `node` holds agent `name` itself (no forwarding: its own list). */
async function holds(node: ClusterNode, name: string): Promise<boolean> {
  const list = await call(`${node.api}/agents`);
  return list.body.items.some((a: { name: string }) => a.name === name);
}

Deno.test("?node= and --node deploy on the named node through another node's API; without it, the node with the fewest agents", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await waitForPeers(a, 2);

  const placed = await deploy(a, "echo", "node-b");
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  assert.equal(placed.headers.get("x-caxton-node"), "node-b");
  assert.equal(placed.body.state, "running");
  assert.ok(await holds(b, "echo") && !(await holds(a, "echo")), "deployed on B, not A");
  // Its registry entry reaches A's copy: a new version through A goes to B; without --node, 409.
  await until(async () => (await call(`${a.api}/agents/echo`)).status === 200, "A knows echo");
  assert.equal((await deploy(a, "echo", "node-b")).status, 200, "a new version on its node");
  const refused = await deploy(a, "echo");
  assertProblem(refused, 409, "agent_name_taken");
  assert.match(refused.body.detail, /--node node-b/);

  const cli = await runCli(
    "agent",
    "deploy",
    "cli-echo",
    "build/agents/echo_wat.wasm",
    "--node",
    "node-b",
    "--server",
    a.url,
  );
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(await holds(b, "cli-echo"), "the CLI's --node deployed on B");

  const unknown = await deploy(a, "stray", "node-z");
  assertProblem(unknown, 404, "node_not_found");
  assert.match(unknown.body.remedy ?? unknown.body.detail, /node-a/);

  // Without --node a new name goes to the node with the fewest agents: B holds 2, A none.
  const registered = async (name: string) => {
    const nodes = (await call(`${b.api}/cluster`)).body.nodes as {
      name: string;
      registeredAgents: number;
    }[];
    return nodes.find((n) => n.name === name)?.registeredAgents;
  };
  await until(async () => (await registered("node-b")) === 2, "B's registry copy counts 2 on B");
  const third = await deploy(b, "three");
  assert.equal(third.status, 201, JSON.stringify(third.body));
  assert.equal(third.headers.get("x-caxton-node"), "node-a");
  assert.ok(await holds(a, "three"), "placed on A, which had none");
  // Asked of A, which has the fewest (1 against 2): A keeps the new agent, no hop.
  await until(async () => (await registered("node-a")) === 1, "B's copy counts 1 on A");
  const kept = await deploy(a, "four");
  assert.equal(kept.status, 201);
  assert.equal(kept.headers.get("x-caxton-node"), null, "not forwarded");
  assert.ok(await holds(a, "four"));

  // Every node lists the whole cluster's agents with their nodes (API and CLI).
  const names = ["cli-echo", "echo", "four", "three"];
  const listed = async () => (await call(`${b.api}/cluster/agents`)).body.items;
  await until(async () => (await listed()).length === 4, "B's registry copy holds all four");
  assert.deepEqual(
    (await listed()).map((a: { name: string; nodeName: string }) => [a.name, a.nodeName]),
    [["cli-echo", "node-b"], ["echo", "node-b"], ["four", "node-a"], ["three", "node-a"]],
  );
  const agents = await runCli("cluster", "agents", "--server", b.url, "--json");
  assert.equal(agents.code, 0, agents.stderr);
  assert.deepEqual(JSON.parse(agents.stdout).items.map((a: { name: string }) => a.name), names);
});
