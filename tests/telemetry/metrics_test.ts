import assert from "node:assert/strict";
import { renderPrometheus } from "../../src/telemetry/mod.ts";
import { agentBytes, startTestNode, tempDataDir, TestParticipant } from "../_support/node.ts";

/** `name{labels} value` lines of a Prometheus text, by series. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

Deno.test("the Prometheus text reports agents by state, routed messages, delivery latency, fuel, traps and API requests of a real node", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode(
    { dataDir: dir.path, tracing: true, traceSampleRatio: 0 },
    { serve: true },
  );
  using me = new TestParticipant(node);
  await node.agents.deploy("flaky", agentBytes("trap_once"));
  await node.agents.deploy("idle", agentBytes("echo_wat"), { start: false });
  for (let i = 0; i < 5; i++) await me.request("flaky", `hello ${i}`);
  const failure = me.next((m) => m.performative === "failure");
  me.send({ performative: "request", receiver: ["flaky"], content: "boom" });
  await failure;
  const response = await fetch(`${node.url}/api/v1/agents/flaky`);
  await response.body?.cancel();

  const text = renderPrometheus(node.metrics);
  const s = series(text);
  assert.equal(s.get('caxton_agents{state="running"}'), 1);
  assert.equal(s.get('caxton_agents{state="loaded"}'), 1);
  assert.equal(s.get('caxton_messages_routed_total{performative="request"}'), 6);
  assert.equal(s.get('caxton_messages_routed_total{performative="inform"}'), 5);
  assert.equal(s.get('caxton_messages_routed_total{performative="failure"}'), 1);
  assert.equal(s.get("caxton_delivery_latency_seconds_count"), 6, "every delivery to an agent");
  assert.equal(s.get('caxton_delivery_latency_seconds_bucket{le="+Inf"}'), 6);
  assert.ok(s.get("caxton_delivery_latency_seconds_sum")! > 0);
  assert.equal(s.get('caxton_agent_messages_handled_total{agent="flaky"}'), 5);
  assert.ok(s.get('caxton_agent_fuel_used_total{agent="flaky"}')! > 0);
  assert.equal(s.get('caxton_agent_traps_total{agent="flaky"}'), 1);
  assert.equal(s.get('caxton_agent_mailbox_depth{agent="flaky"}'), 0);
  assert.equal(
    s.get(
      'caxton_api_request_duration_seconds_count{method="GET",route="/api/v1/agents/:name",status="200"}',
    ),
    1,
  );
  assert.match(text, /^# TYPE caxton_delivery_latency_seconds histogram$/m);
  assert.match(text, /^# TYPE caxton_tool_calls_total counter$/m);
});

Deno.test("with tracing off the router counts no per-message metric, and agent figures are still reported", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  await me.request("echo", "hi");
  assert.equal(node.telemetry, null);
  const s = series(renderPrometheus(node.metrics));
  assert.equal(s.get("caxton_delivery_latency_seconds_count"), 0);
  assert.equal(s.get('caxton_messages_routed_total{performative="request"}'), undefined);
  assert.equal(s.get('caxton_agent_messages_handled_total{agent="echo"}'), 1);
});

Deno.test("every metric the shipped Grafana dashboard queries is one Caxton exports", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  const exported = new Set(
    [...renderPrometheus(node.metrics).matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap((
      [, name, type],
    ) => type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!]),
  );
  const dashboard = JSON.parse(
    await Deno.readTextFile(new URL("../../docs/grafana/caxton.json", import.meta.url)),
  );
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
    p.targets.map((t) => t.expr)
  );
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bcaxton_[a-z_]+/g)].map((m) => m[0])));
  assert.ok(used.size >= 9, `the dashboard queries ${used.size} metrics`);
  for (const name of used) assert.ok(exported.has(name), `"${name}" is exported`);
  // And no exported instrument is left off the dashboard.
  const families = [...renderPrometheus(node.metrics).matchAll(/^# TYPE (\S+)/gm)].map((m) =>
    m[1]!
  );
  for (const family of families) {
    assert.ok([...used].some((u) => u.startsWith(family)), `the dashboard shows "${family}"`);
  }
});
