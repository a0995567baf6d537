/** What the API fuzzer (tests/api/fuzz_test.ts, `deno task fuzz`) found, each pinned. */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { sleep } from "../_support/node.ts";

Deno.test("removing a participant by its address (ext:<name>) removes it, not a 500", async () => {
  await using n = await startApiNode();
  await call(`${n.api}/participants/sam`, { method: "PUT" });
  assert.equal((await call(`${n.api}/participants/ext:sam`, { method: "DELETE" })).status, 204);
  assertProblem(await call(`${n.api}/participants/sam`), 404, "participant_not_found");
  assert.deepEqual(n.node.store.participants.list(), [], "the saved registration went too");
});

Deno.test("a JSON body nested deeper than 100 levels is a 400 problem, not a stack overflow", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await call(`${n.api}/participants/sam`, { method: "PUT" });
  const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  const message = (depth: number) =>
    `{"performative":"request","receiver":["echo"],"content":${nested(depth)}}`;
  const send = (path: string, body: string) =>
    call(`${n.api}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  for (const path of ["/participants/sam/messages", "/agents/echo/request", "/jobs"]) {
    const body = path === "/jobs"
      ? `{"agent":"echo","content":${nested(50_000)}}`
      : message(50_000);
    const res = await send(path, body);
    assertProblem(res, 400, "too_deep");
    assert.equal(res.body.maxDepth, 100);
  }
  // At the limit it still goes through.
  const ok = await send("/agents/echo/request", `{"content":${nested(98)}}`);
  assert.equal(ok.status, 200, JSON.stringify(ok.body).slice(0, 300));
  assert.equal((await call(`${n.url}/ready`)).status, 200);
});

Deno.test("timeouts past the longest timer are refused, not fired at once", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const huge = 3_580_527_672_627_617;
  const job = await call(`${n.api}/jobs`, {
    method: "POST",
    json: { agent: "echo", timeoutMs: huge },
  });
  assertProblem(job, 400, "bad_request");
  assert.match(job.body.detail, /timeoutMs must be an integer from 1 to 2147483647/);
  for (const key of ["timeoutMs", "backoffMs", "maxAttempts"]) {
    const res = await call(`${n.api}/participants/p`, {
      method: "PUT",
      json: { webhook: { url: "http://8.8.8.8/hook", [key]: huge } },
    });
    assertProblem(res, 400, "bad_request");
    assert.match(res.body.detail, new RegExp(`webhook.${key} must be an integer from 1 to`));
  }
  const ok = await call(`${n.api}/jobs`, {
    method: "POST",
    json: { agent: "echo", content: "x", timeoutMs: 2_147_483_647 },
  });
  assert.equal(ok.status, 202);
  // The longest timeout allowed is honoured: the job completes with the reply, not a timeout.
  let status = "submitted";
  for (let tries = 0; tries < 1_000 && (status === "submitted" || status === "running"); tries++) {
    await sleep(10);
    status = (await call(`${n.api}/jobs/${ok.body.id}`)).body.status;
  }
  assert.equal(status, "complete");
});
