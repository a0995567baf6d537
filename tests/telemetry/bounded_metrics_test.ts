/**
 * `/metrics` with bounded cardinality (issue 21): agents are counted by state
 * and module version; per-agent series exist only for the allowlist and the
 * N busiest agents; the scrape's size does not grow with the agents.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { agentBytes, TestParticipant } from "../_support/node.ts";

const SCALE = { ...defaultScaleConfig(), metricsAgents: ["e-150"], metricsTopN: 2 };

async function scrape(url: string): Promise<string> {
  return await (await fetch(`${url}/metrics`)).text();
}

Deno.test("per-agent series only for the allowlist and the busiest; the rest in aggregates", async () => {
  await using n = await startApiNode({ scale: SCALE });
  const agents = n.node.agents;
  await agents.deployMany(
    Array.from({ length: 200 }, (_, i) => `e-${i + 1}`),
    agentBytes("echo_wat"),
  );
  using me = new TestParticipant(n.node);
  // e-1 gets 3 messages, e-2 two, e-3 one: the two busiest are e-1 and e-2.
  for (const [name, times] of [["e-1", 3], ["e-2", 2], ["e-3", 1]] as const) {
    for (let i = 0; i < times; i++) await me.request(name, i);
  }
  const text = await scrape(n.url);
  const labelled = new Set([...text.matchAll(/agent="([^"]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...labelled].sort(), ["e-1", "e-150", "e-2"]);
  assert.match(text, /^caxton_agent_messages_handled_total\{agent="e-1"\} 3$/m);
  assert.match(text, /^caxton_agents\{state="running"\} 200$/m);
  assert.match(text, /^caxton_agents_messages_handled_total 6$/m);
  assert.match(text, /^caxton_agents_active 3$/m);
  assert.match(text, /^caxton_agent_activations_total 3$/m);
  assert.match(text, /^caxton_agents_by_module\{module="[0-9a-f]{12}",version="1"\} 200$/m);
  // An agent without series keeps its figures in the API.
  const e3 = await (await fetch(`${n.api}/agents/e-3`)).json();
  assert.equal(e3.counters.handled, 1);
});

Deno.test("the size of /metrics does not grow with the number of agents", async () => {
  await using n = await startApiNode({ scale: SCALE });
  const agents = n.node.agents;
  await agents.deployMany(Array.from({ length: 100 }, (_, i) => `a-${i}`), agentBytes("echo_wat"));
  await scrape(n.url); // the scrape's own request series exist from now on
  const small = (await scrape(n.url)).length;
  await agents.deployMany(Array.from({ length: 900 }, (_, i) => `b-${i}`), agentBytes("echo_wat"));
  const large = await scrape(n.url);
  // Counts grow by a digit or so; the series do not.
  assert.ok(
    Math.abs(large.length - small) < 64,
    `${small} bytes at 100 agents, ${large.length} at 1000`,
  );
  assert.match(large, /^caxton_agents\{state="running"\} 1000$/m);
});
