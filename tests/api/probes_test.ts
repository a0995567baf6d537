import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";

Deno.test("/health and /ready answer in the shape Kubernetes probes expect, with diagnostics", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const health = await call(`${n.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.body.status, "ok");
  const ready = await call(`${n.url}/ready`);
  assert.equal(ready.status, 200);
  assert.equal(ready.body.status, "ready");
  assert.deepEqual(ready.body.checks, { store: "ok", agentsRestored: "ok", workers: "ok" });
  assert.equal(ready.body.agents.running, 1);
  assert.equal(ready.body.pool.workers, 2);
});

Deno.test("/metrics is Prometheus text with agent, delivery and HTTP figures", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await call(`${n.api}/agents/echo/request`, { method: "POST", json: { content: "x" } });
  const res = await fetch(`${n.url}/metrics`);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  // Every line is a comment or `name{labels} value`.
  for (const line of text.trimEnd().split("\n")) {
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?\d+(\.\d+)?(e[+-]?\d+)?)$/, line);
  }
  assert.match(text, /^caxton_agents\{state="running"\} 1$/m);
  assert.match(text, /^caxton_agent_messages_handled_total\{agent="echo"\} 1$/m);
  assert.match(text, /^caxton_deliveries_total 2$/m);
  assert.match(
    text,
    /^caxton_http_requests_total\{method="POST",route="\/api\/v1\/agents\/:name\/request",status="200"\} 1$/m,
  );
});

Deno.test("unknown routes are 404 problems and wrong methods 405 problems with Allow", async () => {
  await using n = await startApiNode();
  assertProblem(await call(`${n.api}/nothing-here`), 404, "not_found");
  // PUT is the bulk deploy (issue 21).
  const wrong = await call(`${n.api}/agents`, { method: "DELETE" });
  assertProblem(wrong, 405, "method_not_allowed");
  assert.equal(wrong.headers.get("allow"), "GET, HEAD, PUT");
});

Deno.test("CORS answers preflights for configured origins only", async () => {
  await using n = await startApiNode({ corsOrigins: ["https://app.example"] });
  const preflight = await fetch(`${n.api}/agents`, {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "content-type",
    },
  });
  await preflight.body?.cancel();
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
  const other = await fetch(`${n.api}/agents`, { headers: { origin: "https://evil.example" } });
  await other.body?.cancel();
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});

Deno.test("with apiToken set, /api/v1 needs the bearer token; probes and the document stay open", async () => {
  await using n = await startApiNode({ apiToken: "s3cret-token" });
  const none = await call(`${n.api}/agents`);
  assertProblem(none, 401, "unauthorized");
  assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="caxton"');
  assertProblem(
    await call(`${n.api}/agents`, { headers: { authorization: "Bearer wrong-token" } }),
    401,
    "unauthorized",
  );
  const ok = await call(`${n.api}/agents`, { headers: { authorization: "Bearer s3cret-token" } });
  assert.equal(ok.status, 200);
  assert.equal((await call(`${n.url}/ready`)).status, 200);
  assert.equal((await call(`${n.api}/openapi.json`)).status, 200);
});
