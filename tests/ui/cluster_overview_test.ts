/**
 * The Overview's cluster nodes (issue 19: "nodes (when clustered)") in a real
 * browser: two real Caxton nodes (child processes) joined over a real
 * nats-server, the page opened on one of them.
 */
import assert from "node:assert/strict";
import type { Locator } from "playwright-core";
import { launchBrowser } from "../_support/browser.ts";
import { agentBytes, until } from "../_support/node.ts";
import { startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

/** Deploys a built agent on a cluster node through its API. */
async function deployOn(api: string, name: string): Promise<void> {
  const res = await fetch(`${api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201, await res.text());
}

/** A Nodes row's cells, by column label. */
async function cells(row: Locator): Promise<Record<string, string>> {
  const labels = ["Name", "State", "Agents", "Load", "API", "Last heartbeat"];
  const texts = (await row.locator("td").allTextContents()).map((t) => t.trim());
  return Object.fromEntries(labels.map((l, i) => [l, texts[i] ?? ""]));
}

Deno.test("the overview on one node lists both cluster nodes with their state and agents, and a killed node turns suspect, then gone", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  await waitForPeers(a, 2);
  await deployOn(b.api, "echo-b1");
  await deployOn(b.api, "echo-b2");
  await deployOn(a.api, "echo-a1");
  // Placement may put an agent on either node: the page is compared with node-a's own view,
  // once every heartbeat counts all three.
  let agents: Record<string, number> = {};
  await until(async () => {
    const { nodes } = await (await fetch(`${a.api}/cluster`)).json();
    agents = Object.fromEntries(
      nodes.map((n: { name: string; agents: number }) => [n.name, n.agents]),
    );
    return (agents["node-a"] ?? 0) + (agents["node-b"] ?? 0) === 3;
  }, "node-a to count the 3 agents");

  await using browser = await launchBrowser();
  const page = await browser.page();
  await page.goto(`${a.url}/ui#/`);
  const table = page.getByRole("region", { name: "Cluster nodes" });
  const row = (name: string) => table.locator("tbody tr").filter({ hasText: name });
  await row("node-b").waitFor();
  assert.equal(await table.locator("tbody tr").count(), 2);
  const seenA = await cells(row("node-a"));
  const seenB = await cells(row("node-b"));
  assert.deepEqual(
    [seenA.Name, seenA.State, seenA.Agents, seenA.API],
    ["node-a", "joined", String(agents["node-a"]), a.url],
  );
  assert.deepEqual(
    [seenB.Name, seenB.State, seenB.Agents, seenB.API],
    ["node-b", "joined", String(agents["node-b"]), b.url],
  );
  assert.equal(await page.getByText("Standalone node").count(), 0);

  // kill -9: no goodbye. The page polls /cluster: node-b turns suspect or gone, then gone.
  await b.kill();
  const states: string[] = [];
  await until(async () => {
    const state = (await cells(row("node-b"))).State ?? "";
    if (states.at(-1) !== state) states.push(state);
    return state === "gone";
  }, "node-b shown gone on node-a's overview");
  assert.equal(states[0], "joined");
  assert.ok(
    states.slice(1).every((s) => s === "suspect" || s === "gone"),
    `after the kill only suspect or gone: ${states.join(" → ")}`,
  );
  await row("node-b").locator(".state-gone").waitFor();
  assert.equal((await cells(row("node-a"))).State, "joined");
  assert.deepEqual(page.errors, []);
});
