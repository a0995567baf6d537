/**
 * Listing at scale (issue 21): pages by cursor in name order, filtered by
 * state, prefix and capability, over a name index rather than every agent;
 * `caxton agent list --after` pages the same way.
 */
import assert from "node:assert/strict";
import { startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";
import { agentBytes } from "../_support/node.ts";

Deno.test("paging by cursor visits every agent once, in name order, with filters", async () => {
  await using n = await startApiNode();
  const agents = n.node.agents;
  // Deployed out of name order, in two bulks and one single deploy.
  const names = Array.from({ length: 250 }, (_, i) => `w-${(i * 7919) % 250}`);
  await agents.deployMany(names.slice(0, 200), agentBytes("echo_wat"));
  await agents.deployMany(names.slice(200), agentBytes("counter_wat"));
  await agents.deploy("a-single", agentBytes("echo_wat"));
  await agents.stop("w-17");
  await agents.remove("w-18");

  const seen: string[] = [];
  let after = "";
  for (let pages = 0; pages < 10; pages++) {
    const page = (await call(`${n.api}/agents?limit=100&after=${after}`)).body;
    seen.push(...page.items.map((a: { name: string }) => a.name));
    if (page.next === null) break;
    after = page.next;
  }
  const expected = [...names.filter((x) => x !== "w-18"), "a-single"].sort();
  assert.deepEqual(seen, expected);

  const prefix = (await call(`${n.api}/agents?prefix=w-24`)).body;
  assert.deepEqual(prefix.items.map((a: { name: string }) => a.name), [
    "w-24",
    "w-240",
    "w-241",
    "w-242",
    "w-243",
    "w-244",
    "w-245",
    "w-246",
    "w-247",
    "w-248",
    "w-249",
  ]);
  const stopped = (await call(`${n.api}/agents?state=stopped`)).body;
  assert.deepEqual(stopped.items.map((a: { name: string }) => a.name), ["w-17"]);
  const counters = (await call(`${n.api}/agents?capability=counter&limit=20`)).body;
  assert.equal(counters.items.length, 20);
  assert.ok(counters.items.every((a: { name: string }) => names.slice(200).includes(a.name)));
  const rest = (await call(`${n.api}/agents?capability=counter&limit=1000&after=${counters.next}`))
    .body;
  const withCounter = names.slice(200).filter((x) => x !== "w-18");
  assert.equal(counters.items.length + rest.items.length, withCounter.length);
  assert.equal(rest.next, null);
});

Deno.test("caxton agent list --after shows the next page and says how to get the one after", async () => {
  await using n = await startApiNode();
  await n.node.agents.deployMany(["p-1", "p-2", "p-3", "p-4"], agentBytes("echo_wat"));
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const list = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", cli, "agent", "list", "--server", n.url, ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  };
  const first = JSON.parse(await list("--limit", "2", "--json"));
  assert.deepEqual([first.items.map((a: { name: string }) => a.name), first.next], [
    ["p-1", "p-2"],
    "p-2",
  ]);
  const second = await list("--limit", "1", "--after", "p-2", "--prefix", "p-");
  assert.match(second, /p-3/);
  assert.doesNotMatch(second, /p-2|p-4/);
  assert.match(second, /more: caxton agent list --after p-3/);
});
