/**
 * Bulk deploy (issue 21): many new agents of one module in one request, by a
 * list or a template; the module metered once; names taken refuse the whole
 * request; `caxton agent deploy NAME FILE --count N` goes through it.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { agentBytes, TestParticipant } from "../_support/node.ts";

function bulkForm(agents: unknown, extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set("module", new File([agentBytes("counter_wat")], "counter.wasm"));
  form.set("agents", JSON.stringify(agents));
  for (const [key, value] of Object.entries(extra)) form.set(key, value);
  return form;
}

Deno.test("a template deploys 200 agents in one request, and every one answers", async () => {
  await using n = await startApiNode({ scale: { ...defaultScaleConfig(), passivateAfterMs: 50 } });
  const res = await call(`${n.api}/agents`, {
    method: "PUT",
    body: bulkForm({ pattern: "c-{n}", count: 200 }, { capabilities: '["count"]' }),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual([res.body.deployed, res.body.first, res.body.last], [200, "c-1", "c-200"]);
  assert.deepEqual(res.body.capabilities.sort(), ["count", "counter"].sort());
  const one = (await call(`${n.api}/agents/c-137`)).body;
  assert.deepEqual([one.state, one.version, one.worker], ["running", 1, null]);
  using me = new TestParticipant(n.node);
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => me.request(`c-${i + 1}`, "hi", 20_000)),
  );
  assert.ok(answers.every((m) => m.content === "1"), "each agent counted its first message");
  assert.equal(n.node.agents.activity().activations, 200);
});

Deno.test("a raw module with a list of names deploys them; names taken refuse the whole request", async () => {
  await using n = await startApiNode();
  const put = (query: string) =>
    call(`${n.api}/agents?${query}`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
  assert.equal((await put("names=a,b,c")).status, 201);
  const taken = await put("names=c,d");
  assertProblem(taken, 409, "agents_exist");
  assert.deepEqual(taken.body.agents, ["c"]);
  assert.equal((await call(`${n.api}/agents/d`)).status, 404, "nothing of a refused request");
  assertProblem(await put("names=x,x"), 400, "invalid_deployment");
  assertProblem(await put("pattern=Bad-{n}&count=2"), 400, "invalid_deployment");
  assertProblem(await put("count=2"), 400, "bad_agents");
});

Deno.test("caxton agent deploy NAME FILE --count N deploys N agents through the API", async () => {
  await using n = await startApiNode();
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const wasm = new URL("../../build/agents/echo_wat.wasm", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      cli,
      "agent",
      "deploy",
      "e",
      wasm,
      "--count",
      "12",
      "--server",
      n.url,
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout));
  assert.deepEqual([result.deployed, result.first, result.last], [12, "e-1", "e-12"]);
  assert.equal((await call(`${n.api}/agents/e-12`)).body.state, "running");
});
