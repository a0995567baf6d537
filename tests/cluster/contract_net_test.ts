/**
 * A Contract Net round across three nodes: the manager on node A, bidders on
 * A, B and C, the request asked of node C. Every message of the round, on
 * every node's log, is in the caller's one trace.
 */
import assert from "node:assert/strict";
import { parseTraceparent } from "../../src/acl/mod.ts";
import { agentBytes, until } from "../_support/node.ts";
import { call } from "../_support/http.ts";
import { type ClusterNode, startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

const CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

async function deploy(via: ClusterNode, name: string, module: string, node: string) {
  const res = await call(`${via.api}/agents/${name}?node=${node}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes(module),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

interface _Row {
  receiver: string;
  message: { performative: string; sender: string; traceparent?: string };
}

Deno.test("Contract Net with bidders on 3 nodes: one winner, one trace across the nodes", async () => {
  await using nats = await startNats();
  const [a, b, c] = await Promise.all(
    ["node-a", "node-b", "node-c"].map((name) => startClusterNode(nats.url, name)),
  );
  await using _a = a!;
  await using _b = b!;
  await using _c = c!;
  const nodes = [a!, b!, c!];
  await waitForPeers(a!, 3);
  await deploy(a!, "manager", "wat/manager", "node-a");
  const bidders: string[] = [];
  for (const node of nodes) {
    for (const n of [1, 2]) {
      const name = `${node.name}-bidder-${n}`;
      await deploy(a!, name, "wat/bidder", node.name);
      bidders.push(name);
    }
  }
  // Every node's registry copy knows every agent before the round starts.
  for (const node of nodes) {
    await until(async () => {
      for (const name of ["manager", ...bidders]) {
        if ((await call(`${node.api}/agents/${name}`)).status !== 200) return false;
      }
      return true;
    }, `${node.name} knows every agent`);
  }
  const deadline = new Date(Date.now() + 20_000).toISOString();
  const result = await call(`${c!.api}/agents/manager/request?timeout=20000`, {
    method: "POST",
    headers: { traceparent: CALLER },
    json: { content: `haul ${deadline} ${bidders.join(" ")}`, conversationId: "cnp-3" },
  });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  assert.equal(result.body.performative, "inform", JSON.stringify(result.body));
  const [winner] = String(result.body.content).split(" ");
  assert.ok(bidders.includes(winner!), `the winner ${winner} is one of the bidders`);

  const traceId = CALLER.slice(3, 35);
  const logged = async (node: ClusterNode) =>
    (await call(`${node.api}/conversations/cnp-3`)).body.messages as _Row[] ?? [];
  // The logs are written by each node's log writer, a moment behind the answer.
  await until(async () => {
    const rows = (await Promise.all(nodes.map(logged))).flat();
    return bidders.every((name) =>
      rows.some((r) => r.message.performative === "cfp" && r.receiver === name)
    ) && rows.some((r) => r.message.performative === "inform" && r.message.sender === winner);
  }, "every node's log to hold its part of the round");
  const all: _Row[] = [];
  for (const node of nodes) {
    const rows = await logged(node);
    assert.ok(rows.length > 0, `${node.name} logged part of the round`);
    for (const row of rows) {
      assert.equal(
        parseTraceparent(row.message.traceparent ?? "")?.traceId,
        traceId,
        `${node.name}: ${row.message.performative} ${row.message.sender} → ${row.receiver}`,
      );
    }
    // Each node's bidders got their call for proposals there.
    for (const name of bidders.filter((n) => n.startsWith(node.name))) {
      assert.ok(
        rows.some((r) => r.message.performative === "cfp" && r.receiver === name),
        `${node.name} logged the cfp to ${name}`,
      );
    }
    all.push(...rows);
  }
  const accepted = new Set(
    all.filter((r) => r.message.performative === "accept-proposal").map((r) => r.receiver),
  );
  assert.deepEqual([...accepted], [winner], "one proposal accepted: the winner's");
  assert.ok(all.some((r) => r.message.performative === "inform" && r.message.sender === winner));
});
