/**
 * Issue 12's node loss, as written: kill -9 one node of three under traffic.
 * Its peers see it lost (suspect) within 3 s, and gone within 3 s plus a 1 s
 * margin for this shared machine (GONE_MS is 2.5 s), both measured from the
 * moment the test sends SIGKILL; every request to its agents sent after the
 * kill ends in `node_unreachable` (none hangs, none is lost: each is counted);
 * traffic between the two other nodes never stops; restarted on its data dir
 * the node runs its agents again, both peers' registries list them on it, and
 * requests to them are answered again.
 */
import assert from "node:assert/strict";
import { FUEL_PER_DEADLINE_MS } from "../../src/runtime/mod.ts";
import { agentBytes, until } from "../_support/node.ts";
import { call } from "../_support/http.ts";
import {
  countByResult,
  longestGap,
  type Outcome,
  startTraffic,
} from "../_support/cluster_traffic.ts";
import { type ClusterNode, startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

/** Each request waits at most this long for its answer (above the default unreachableMs 3000). */
const REQUEST_TIMEOUT_MS = 6_000;
const C_AGENTS = ["echo-c1", "echo-c2"];

async function deployEcho(via: ClusterNode, name: string, node: string): Promise<void> {
  const res = await call(`${via.api}/agents/${name}?node=${node}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

/** Agents of the cluster as `node`'s registry copy lists them: name → [node name, its state]. */
async function registry(node: ClusterNode): Promise<Map<string, [string, string]>> {
  const items = (await call(`${node.api}/cluster/agents`)).body.items as {
    name: string;
    nodeName: string;
    nodeState: string;
  }[];
  return new Map(items.map((a) => [a.name, [a.nodeName, a.nodeState]]));
}

/** Resolves with the ms from `since` until `node` sees `peer` in one of `states`. */
async function seenAs(node: ClusterNode, peer: string, states: string[], since: number) {
  await until(
    async () => {
      const nodes = (await call(`${node.api}/cluster`)).body.nodes as {
        name: string;
        state: string;
      }[];
      return nodes.some((n) => n.name === peer && states.includes(n.state));
    },
    `${node.name} to see ${peer} ${states.join(" or ")}`,
    10_000,
  );
  return Date.now() - since;
}

/** Ms from `since` until `node` sees `peer` suspect or gone, then gone. */
async function seenLost(node: ClusterNode, peer: string, since: number) {
  const lost = await seenAs(node, peer, ["suspect", "gone"], since);
  return { lost, gone: await seenAs(node, peer, ["gone"], since) };
}

Deno.test("kill -9 of one node of three under traffic: seen gone within 3 s, its messages fail node_unreachable, A↔B never stops, it comes back with its agents", async () => {
  await using nats = await startNats();
  const cDir = Deno.makeTempDirSync({ prefix: "caxton-node-c-" });
  try {
    await using a = await startClusterNode(nats.url, "node-a");
    await using b = await startClusterNode(nats.url, "node-b");
    let c = await startClusterNode(nats.url, "node-c", { dataDir: cDir });
    try {
      await waitForPeers(a, 3);
      await waitForPeers(b, 3);
      await deployEcho(a, "echo-a", "node-a");
      await deployEcho(a, "echo-b", "node-b");
      for (const name of C_AGENTS) await deployEcho(a, name, "node-c");
      for (const node of [a, b]) {
        await until(async () => (await registry(node)).size === 4, `${node.name} knows all four`);
      }

      await using traffic = startTraffic([
        { name: "A→C1", via: a, agent: "echo-c1" },
        { name: "B→C2", via: b, agent: "echo-c2" },
        { name: "A→B", via: a, agent: "echo-b" },
        { name: "B→A", via: b, agent: "echo-a" },
      ], REQUEST_TIMEOUT_MS);
      const toC = (o: Outcome) => o.lane.includes("C");
      const answeredOnAllLanes = (after: number, lanes = ["A→C1", "B→C2", "A→B", "B→A"]) =>
        lanes.every((lane) =>
          traffic.outcomes.some((o) =>
            o.lane === lane && o.result === "answered" && o.sentAt > after
          )
        );
      await until(() => answeredOnAllLanes(0), "traffic answered on every lane");

      const killedAt = Date.now();
      await c.kill();
      await c[Symbol.asyncDispose](); // reaps what is left of it (its data dir is kept)
      const seen = await Promise.all([
        seenLost(a, "node-c", killedAt),
        seenLost(b, "node-c", killedAt),
      ]);
      console.log(
        `node-c seen lost / gone after kill -9: node-a ${JSON.stringify(seen[0])} ms, node-b ${
          JSON.stringify(seen[1])
        } ms`,
      );
      for (const { lost, gone } of seen) {
        // The 3 s: the peers see it (suspect, then gone); gone is judged 2.5 s after the
        // last heartbeat, which this shared machine may deliver late: 1 s margin on that one.
        assert.ok(lost <= 3_000, `seen lost after ${lost} ms`);
        assert.ok(gone <= 4_000, `seen gone after ${gone} ms`);
      }
      // Requests to C's agents keep failing while it is away: wait for a few after "gone".
      const goneAt = Date.now();
      await until(
        () =>
          C_AGENTS.every((_, i) =>
            traffic.outcomes.filter((o) =>
              o.lane === `${["A", "B"][i]}→C${i + 1}` && o.sentAt > goneAt
            ).length >= 3
          ),
        "requests to C's agents after it is gone",
      );

      const restartAt = Date.now();
      c = await startClusterNode(nats.url, "node-c", { dataDir: cDir });
      // Its agents run again; both peers' registries list them on node-c, joined.
      const listed = (await call(`${c.api}/agents`)).body.items as {
        name: string;
        state: string;
      }[];
      assert.deepEqual(
        listed.map((x) => [x.name, x.state]).sort(),
        C_AGENTS.map((n) => [n, "running"]),
      );
      for (const node of [a, b]) {
        await seenAs(node, "node-c", ["joined"], restartAt);
        const seen = await registry(node);
        for (const name of C_AGENTS) {
          assert.deepEqual(seen.get(name), ["node-c", "joined"], `${node.name}: ${name}`);
        }
      }
      const backAt = Date.now();
      await until(() => answeredOnAllLanes(backAt), "requests to C's agents answered again");
      const outcomes = await traffic.stop();

      // Every request to C sent after the kill and before the restart failed with a reason.
      const whileAway = outcomes.filter((o) =>
        toC(o) && o.sentAt > killedAt && o.doneAt < restartAt
      );
      console.log(`to C while away: ${JSON.stringify(countByResult(whileAway))}`);
      assert.ok(whileAway.length >= 6);
      for (const o of whileAway) {
        assert.equal(o.result, "node_unreachable", JSON.stringify(o));
        assert.ok(o.doneAt - o.sentAt < REQUEST_TIMEOUT_MS, `no hang: ${JSON.stringify(o)}`);
      }
      // Those in flight at the kill were answered (C replied in time) or failed node_unreachable
      // (a request C held when it died: failed when C is seen gone, not left to its timeout).
      const inFlight = outcomes.filter((o) =>
        toC(o) && o.sentAt <= killedAt && o.doneAt > killedAt
      );
      console.log(`to C in flight at the kill: ${JSON.stringify(countByResult(inFlight))}`);
      for (const o of inFlight) {
        assert.match(o.result, /^(answered|node_unreachable)$/, JSON.stringify(o));
      }
      // A↔B: every request answered, before, during and after C's absence.
      const between = outcomes.filter((o) => !toC(o));
      console.log(
        `A↔B: ${JSON.stringify(countByResult(between))}, longest gap while C was away ${
          longestGap(between, killedAt, restartAt)
        } ms`,
      );
      assert.deepEqual(countByResult(between), { answered: between.length });
      assert.ok(
        between.some((o) => o.sentAt > killedAt && o.doneAt < restartAt),
        "A↔B answered while C was away",
      );
    } finally {
      await c[Symbol.asyncDispose]();
    }
  } finally {
    Deno.removeSync(cDir, { recursive: true });
  }
});

Deno.test("a request a node holds when it is killed is answered node_unreachable once the node is seen gone, not at its timeout", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using c = await startClusterNode(nats.url, "node-c");
  await waitForPeers(a, 2);
  // A spinner holds its message until its deadline (5 s): C has it when it dies.
  const spinner = await call(
    `${a.api}/agents/spinner?node=node-c&limits.deadlineMs=5000&limits.fuelPerMessage=${
      5_000 * FUEL_PER_DEADLINE_MS
    }`,
    {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("infinite_loop"),
    },
  );
  assert.equal(spinner.status, 201, JSON.stringify(spinner.body));
  await until(async () => (await registry(a)).has("spinner"), "A knows the spinner");
  const answer = call(`${a.api}/agents/spinner/request?timeout=20000`, {
    method: "POST",
    json: { content: "spin", conversationId: "held" },
  });
  await until(async () => (await call(`${c.api}/conversations/held`)).status === 200, "C holds it");
  const killedAt = Date.now();
  await c.kill();
  const res = await answer;
  const tookMs = Date.now() - killedAt;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.performative, "failure", JSON.stringify(res.body));
  assert.equal(res.body.content.code, "node_unreachable");
  assert.match(
    res.body.content.reason,
    /node "node-c" cannot be reached \(its heartbeats stopped with this message in it\)/,
  );
  console.log(`the held request failed ${tookMs} ms after kill -9`);
  assert.ok(tookMs < 6_000, `failed ${tookMs} ms after the kill, not when C was seen gone`);
});
