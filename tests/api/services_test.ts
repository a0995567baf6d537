import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { databasePath } from "../../src/config/mod.ts";
import { wat } from "../_support/wat.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { until } from "../_support/node.ts";
import { assertProblem, call, openEvents } from "../_support/http.ts";

/** An agent that takes every message and never answers. */
const SILENT = wat(`(module
  (memory (export "memory") 1)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);

/** An agent that answers in conversation "s-1": `agree` (progress), then `inform` (final). */
function streamer(): Uint8Array {
  const agree = '{"performative":"agree","receiver":["ext:_api"],"conversationId":"s-1"}';
  const inform =
    '{"performative":"inform","receiver":["ext:_api"],"conversationId":"s-1","content":"done"}';
  const escape = (s: string) => s.replaceAll('"', '\\"');
  return wat(`(module
    (import "caxton" "send" (func $send (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) "${escape(agree)}")
    (data (i32.const 512) "${escape(inform)}")
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 2048))
    (func (export "caxton_handle") (param i32 i32) (result i32)
      (drop (call $send (i32.const 64) (i32.const ${agree.length})))
      (drop (call $send (i32.const 512) (i32.const ${inform.length})))
      (i32.const 0)))`);
}

async function deployBytes(api: string, name: string, bytes: Uint8Array) {
  const res = await call(`${api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

Deno.test("a synchronous request to an echo agent returns its reply", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const res = await call(`${n.api}/agents/echo/request`, {
    method: "POST",
    json: { content: "ping?", conversationId: "sync-1" },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.performative, "inform");
  assert.equal(res.body.content, "ping?");
  assert.equal(res.body.sender, "echo");
  assert.equal(res.body.conversationId, "sync-1");
  const empty = await call(`${n.api}/agents/echo/request`, { method: "POST" });
  assert.equal(empty.body.content, "pong", "an empty body is a bare request");
});

Deno.test("a request with no reply in time is 504; to an unknown agent 404; to a stopped one 503", async () => {
  await using n = await startApiNode();
  await deployBytes(n.api, "silent", SILENT);
  await deploy(n.api, "echo", "echo_wat");
  const late = await call(`${n.api}/agents/silent/request?timeout=100`, { method: "POST" });
  assertProblem(late, 504, "reply_timeout");
  assert.equal(n.node.broker.pending, 0, "the waiter is forgotten");
  assertProblem(
    await call(`${n.api}/agents/ghost/request`, { method: "POST" }),
    404,
    "agent_not_found",
  );
  await call(`${n.api}/agents/echo/stop`, { method: "POST" });
  assertProblem(
    await call(`${n.api}/agents/echo/request`, { method: "POST" }),
    503,
    "agent_unavailable",
  );
  assertProblem(
    await call(`${n.api}/agents/echo/request`, { method: "POST", json: { receiver: ["x"] } }),
    400,
    "invalid_message",
  );
});

Deno.test("a streamed request sends every message of the conversation as SSE, then end", async () => {
  await using n = await startApiNode();
  await deployBytes(n.api, "streamer", streamer());
  const stream = await openEvents(`${n.api}/agents/streamer/request`, {
    method: "POST",
    headers: { accept: "text/event-stream", "content-type": "application/json" },
    body: JSON.stringify({ conversationId: "s-1", content: "go" }),
  });
  try {
    const events = [];
    for (let e = await stream.next(); e !== null; e = await stream.next()) events.push(e);
    assert.deepEqual(events.map((e) => `${e.event}:${e.data.performative ?? e.data.status}`), [
      "message:agree",
      "message:inform",
      "end:complete",
    ]);
  } finally {
    await stream.close();
  }
});

Deno.test("a job runs asynchronously, and its result outlives a restart", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-jobs-" });
  try {
    let id: string;
    {
      await using n = await startApiNode({ dataDir });
      await deploy(n.api, "echo", "echo_wat");
      const submitted = await call(`${n.api}/jobs`, {
        method: "POST",
        json: { agent: "echo", content: "later" },
      });
      assert.equal(submitted.status, 202);
      id = submitted.body.id;
      assert.equal(submitted.headers.get("location"), `/api/v1/jobs/${id}`);
      assert.equal(submitted.body.status, "submitted");
      let job = submitted.body;
      await until(async () => {
        job = (await call(`${n.api}/jobs/${id}`)).body;
        assert.notEqual(job.status, "failed", job.error);
        return job.status === "complete";
      }, "the job to complete");
      assert.equal(job.result.content, "later");
    }
    await using again = await startApiNode({ dataDir });
    const job = await call(`${again.api}/jobs/${id}`);
    assert.equal(job.body.status, "complete");
    assert.equal(job.body.result.content, "later");
    assertProblem(await call(`${again.api}/jobs/${crypto.randomUUID()}`), 404, "job_not_found");
    assertProblem(
      await call(`${again.api}/jobs`, { method: "POST", json: {} }),
      400,
      "bad_request",
    );
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("a job left unfinished by a stop runs again when the node starts", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-jobs-" });
  try {
    {
      await using n = await startApiNode({ dataDir });
      await deploy(n.api, "echo", "echo_wat");
    }
    // As a crash would leave it: recorded, running, no result.
    const store = openStore(databasePath({ dataDir }));
    store.jobs.create({
      id: "interrupted",
      agent: "echo",
      request: { performative: "request", receiver: ["echo"], content: "again" },
      timeoutMs: 5_000,
    });
    store.jobs.setStatus("interrupted", "running");
    store.close();
    await using n = await startApiNode({ dataDir });
    let job = (await call(`${n.api}/jobs/interrupted`)).body;
    await until(async () => {
      job = (await call(`${n.api}/jobs/interrupted`)).body;
      return job.status !== "running" && job.status !== "submitted";
    }, "the interrupted job to run again");
    assert.equal(job.status, "complete", job.error);
    assert.equal(job.result.content, "again");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("a job whose agent never answers fails with the reason", async () => {
  await using n = await startApiNode();
  await deployBytes(n.api, "silent", SILENT);
  const { body } = await call(`${n.api}/jobs`, {
    method: "POST",
    json: { agent: "silent", timeoutMs: 50 },
  });
  let job = body;
  while (job.status !== "failed") job = (await call(`${n.api}/jobs/${body.id}`)).body;
  assert.match(job.error, /No reply from "silent" within 50 ms/);
});
