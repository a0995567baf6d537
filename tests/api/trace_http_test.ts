import assert from "node:assert/strict";
import { parseTraceparent } from "../../src/acl/mod.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";

const CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

Deno.test("an HTTP caller's traceparent continues into the request, the agent's reply and the response", async () => {
  await using api = await startApiNode();
  await deploy(api.api, "echo", "echo_wat");
  const response = await fetch(`${api.api}/agents/echo/request`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: CALLER },
    body: JSON.stringify({ content: "hi", conversationId: "traced-http" }),
  });
  assert.equal(response.status, 200);
  const reply = await response.json();
  assert.equal(reply.content, "hi");
  const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  assert.equal(parseTraceparent(response.headers.get("traceparent") ?? undefined)?.traceId, trace);
  assert.equal(parseTraceparent(reply.traceparent)?.traceId, trace);
  await api.node.router.flushLog();
  const logged = api.node.store.messages.byConversation("traced-http");
  assert.equal(logged.length, 2);
  assert.ok(
    logged.every((row) => row.traceId === trace),
    "request and reply are in the caller's trace",
  );
});

Deno.test("/metrics serves the telemetry instruments beside the live figures, each family once", async () => {
  await using api = await startApiNode({ tracing: true, traceSampleRatio: 0 });
  await deploy(api.api, "echo", "echo_wat");
  const text = await (await fetch(`${api.url}/metrics`)).text();
  assert.match(text, /^caxton_agents\{state="running"\} 1$/m);
  assert.match(text, /^# TYPE caxton_messages_routed_total counter$/m);
  const families = text.split("\n").filter((l) => l.startsWith("# TYPE ")).map((l) =>
    l.split(" ")[2]
  );
  assert.deepEqual(families, [...new Set(families)], "no family is rendered twice");
});
