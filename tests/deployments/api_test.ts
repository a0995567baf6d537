import assert from "node:assert/strict";
import { encodeBase64 } from "../../src/lifecycle/deployments/base64.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { agentBytes } from "../_support/node.ts";

async function _post(
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

Deno.test("REST: a canary is started, shown, promoted and listed; bad input is a problem", async () => {
  await using served = await startApiNode();
  await deploy(served.api, "svc", "echo_wat");
  const base = `${served.api}/agents/svc/deployments`;
  const started = await _post(base, {
    module: encodeBase64(agentBytes("trap_once")),
    strategy: "canary",
    steps: [10, 100],
    intervalMs: 600_000,
    sample: 0,
  });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  assert.equal(started.json.status, "progressing");
  const current = await (await fetch(`${base}/current`)).json();
  assert.equal(current.id, started.json.id);
  const promoted = await _post(`${base}/current/promote`);
  assert.equal(promoted.json.status, "promoted");
  const again = await _post(`${base}/current/abort`);
  assert.equal(again.status, 409);
  assert.equal(again.json.type, "https://caxton.dev/problems/no_deployment");
  const list = await (await fetch(base)).json();
  assert.deepEqual(list.deployments.map((d: { status: string }) => d.status), ["promoted"]);
  const bad = await _post(base, { module: "AAAA", strategy: "sideways" });
  assert.equal(bad.status, 400);
  const failed = await _post(base, {
    module: encodeBase64(agentBytes("trap_once")),
    tests: [{ content: "boom" }],
  });
  assert.equal(failed.json.status, "failed_validation");
  const spec = await (await fetch(`${served.api}/openapi.json`)).json();
  assert.ok(spec.paths["/api/v1/agents/{name}/deployments/current/{action}"]);
});
