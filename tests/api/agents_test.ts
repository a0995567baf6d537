import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { wat } from "../_support/wat.ts";

Deno.test("a multipart deploy sets name, limits, isolation and capabilities, and get shows them with counters", async () => {
  await using n = await startApiNode();
  const form = new FormData();
  form.set("module", new File([agentBytes("echo_wat")], "echo.wasm"));
  form.set("limits", JSON.stringify({ maxMessageBytes: 4096 }));
  form.set("isolation", "dedicated");
  form.set("capabilities", '["echo","test.ping"]');
  const res = await call(`${n.api}/agents/echo`, { method: "PUT", body: form });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.headers.get("location"), "/api/v1/agents/echo");
  const got = await call(`${n.api}/agents/echo`);
  assert.equal(got.status, 200);
  assert.equal(got.body.state, "running");
  assert.equal(got.body.version, 1);
  assert.equal(got.body.isolation, "dedicated");
  assert.equal(got.body.limits.maxMessageBytes, 4096);
  assert.deepEqual(got.body.capabilities, ["echo", "test.ping"]);
  assert.deepEqual(Object.keys(got.body.counters).sort(), [
    "failed",
    "fuelUsed",
    "handled",
    "sent",
    "traps",
  ]);
  assert.equal(got.body.id, undefined, "internal ids stay inside");
});

Deno.test("agents are listed by state, prefix and capability, a page at a time", async () => {
  await using n = await startApiNode();
  for (const name of ["a1", "a2", "a3", "b1"]) await deploy(n.api, name, "echo_wat");
  await call(`${n.api}/agents/a2/stop`, { method: "POST" });
  const first = await call(`${n.api}/agents?prefix=a&limit=2`);
  assert.deepEqual(first.body.items.map((a: { name: string }) => a.name), ["a1", "a2"]);
  assert.equal(first.body.next, "a2");
  const second = await call(`${n.api}/agents?prefix=a&limit=2&after=${first.body.next}`);
  assert.deepEqual(second.body.items.map((a: { name: string }) => a.name), ["a3"]);
  assert.equal(second.body.next, null);
  const stopped = await call(`${n.api}/agents?state=stopped`);
  assert.deepEqual(stopped.body.items.map((a: { name: string }) => a.name), ["a2"]);
  assertProblem(await call(`${n.api}/agents?state=sleeping`), 400, "bad_query");
  assertProblem(await call(`${n.api}/agents?limit=0`), 400, "bad_query");
});

Deno.test("start, stop, reload and remove move an agent through its lifecycle", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  assert.equal((await call(`${n.api}/agents/echo/stop`, { method: "POST" })).body.state, "stopped");
  assertProblem(await call(`${n.api}/agents/echo/reload`, { method: "POST" }), 409, "not_running");
  assert.equal(
    (await call(`${n.api}/agents/echo/start`, { method: "POST" })).body.state,
    "running",
  );
  const reloaded = await call(`${n.api}/agents/echo/reload`, { method: "POST" });
  assert.equal(reloaded.status, 200);
  assert.equal(reloaded.body.state, "running");
  assert.equal(reloaded.body.version, 2);
  const history = await call(`${n.api}/agents/echo/history`);
  assert.ok(history.body.transitions.some((t: { reason: string }) => /reload/.test(t.reason)));
  const removed = await call(`${n.api}/agents/echo`, { method: "DELETE" });
  assert.equal(removed.status, 204);
  assertProblem(await call(`${n.api}/agents/echo`), 404, "agent_not_found");
});

Deno.test("a redeploy of a running agent is a hot reload to a new version", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const again = await call(`${n.api}/agents/echo`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_as"),
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.version, 2);
  assert.equal(again.body.state, "running");
});

Deno.test("deploy errors are problems: invalid module, wrong media type, bad multipart, bad name, too large", async () => {
  await using n = await startApiNode({ maxRequestBytes: 64 * 1024 });
  const invalid = await call(`${n.api}/agents/bad`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("forbidden_import"),
  });
  assertProblem(invalid, 422, "invalid_module");
  assert.match(invalid.body.detail, /wasi_snapshot_preview1/);
  const garbage = await call(`${n.api}/agents/bad`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("invalid_bytes"),
  });
  assertProblem(garbage, 422, "invalid_module");
  assertProblem(
    await call(`${n.api}/agents/x`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "hi",
    }),
    415,
    "unsupported_media_type",
  );
  const form = new FormData();
  form.set("limits", "{}");
  assertProblem(
    await call(`${n.api}/agents/x`, { method: "PUT", body: form }),
    400,
    "missing_module",
  );
  const badLimits = new FormData();
  badLimits.set("module", new File([agentBytes("echo_wat")], "e.wasm"));
  badLimits.set("limits", "{not json");
  assertProblem(
    await call(`${n.api}/agents/x`, { method: "PUT", body: badLimits }),
    400,
    "bad_json",
  );
  assertProblem(
    await call(`${n.api}/agents/Bad%20Name`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    }),
    400,
    "invalid_deployment",
  );
  const big = await call(`${n.api}/agents/big`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: new Uint8Array(128 * 1024),
  });
  assertProblem(big, 413, "payload_too_large");
});

/** A valid ABI v1 module whose caxton_init answers `code` (non-zero: it refuses to start). */
function initAnswering(code: number): Uint8Array {
  return wat(`(module
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_init") (result i32) (i32.const ${code}))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);
}

/** A valid ABI v1 module whose start function traps. */
const START_TRAPS = wat(`(module
  (memory (export "memory") 1)
  (func $boom unreachable)
  (start $boom)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);

const putWasm = (api: string, name: string, bytes: Uint8Array) =>
  call(`${api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });

Deno.test("a malformed multipart body is a 400 problem with a remedy, not a 500", async () => {
  await using n = await startApiNode();
  const bodies: [string, string][] = [
    ["multipart/form-data; boundary=xyz", "this is not multipart at all"],
    [
      "multipart/form-data",
      "--xyz\r\nContent-Disposition: form-data; name=module\r\n\r\nx\r\n--xyz--",
    ],
    ["multipart/form-data; boundary=xyz", ""],
  ];
  for (const [type, body] of bodies) {
    const res = await call(`${n.api}/agents/x`, {
      method: "PUT",
      headers: { "content-type": type },
      body,
    });
    assert.equal(res.status, 400, `${type} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assertProblem(res, 400, "bad_multipart");
    assert.match(res.body.remedy, /module=@agent\.wasm/, body);
  }
  assertProblem(await call(`${n.api}/agents/x`), 404, "agent_not_found");
});

Deno.test("a first deploy that fails to load leaves nothing: not listed, the name free", async () => {
  await using n = await startApiNode();
  for (const bytes of [initAnswering(7), START_TRAPS]) {
    const res = await putWasm(n.api, "fragile", bytes);
    assertProblem(res, 422, "agent_load_failed");
    assertProblem(await call(`${n.api}/agents/fragile`), 404, "agent_not_found");
    assert.deepEqual((await call(`${n.api}/agents`)).body.items, []);
  }
  assert.match(
    (await putWasm(n.api, "fragile", initAnswering(7))).body.detail,
    /caxton_init/,
  );
  const fresh = await putWasm(n.api, "fragile", agentBytes("echo_wat"));
  assert.equal(fresh.status, 201, "the name is free");
  assert.equal(fresh.body.version, 1);
  assert.equal(fresh.body.state, "running");
  assert.deepEqual(n.node.store.agents.list().map((a) => [a.name, a.version]), [["fragile", 1]]);
});

Deno.test("a redeploy that fails to load leaves the old version as it was, running or stopped", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await deploy(n.api, "parked", "echo_wat");
  await call(`${n.api}/agents/parked/stop`, { method: "POST" });
  for (const bytes of [initAnswering(3), START_TRAPS]) {
    assertProblem(await putWasm(n.api, "echo", bytes), 422, "agent_load_failed");
    assertProblem(await putWasm(n.api, "parked", bytes), 422, "agent_load_failed");
  }
  const echo = await call(`${n.api}/agents/echo`);
  assert.equal(echo.body.state, "running");
  assert.equal(echo.body.version, 1);
  const answer = await call(`${n.api}/agents/echo/request`, {
    method: "POST",
    json: { content: "hi" },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.content, "hi");
  const parked = await call(`${n.api}/agents/parked`);
  assert.equal(parked.body.state, "stopped");
  assert.equal(parked.body.version, 1);
  assert.equal(parked.body.failure, null);
  const started = await call(`${n.api}/agents/parked/start`, { method: "POST" });
  assert.equal(started.body.state, "running");
  assert.equal(started.body.version, 1);
});
