import assert from "node:assert/strict";
import { ClosedError, RequestTimeoutError } from "../../src/outside/mod.ts";
import { wat } from "../_support/wat.ts";
import { agentBytes, startTestNode, tempDataDir } from "../_support/node.ts";

/** Takes every message and never answers. */
const SILENT = wat(`(module
  (memory (export "memory") 1)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);

Deno.test("concurrent requests each get their own reply, matched by inReplyTo", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("echo", agentBytes("echo_wat"));
  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) => node.broker.request("echo", { content: `n${i}` })),
  );
  assert.deepEqual(replies.map((r) => r.content), Array.from({ length: 50 }, (_, i) => `n${i}`));
  assert.equal(node.broker.pending, 0);
});

Deno.test("a request that times out forgets its waiter; closing rejects the waiting ones", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("silent", SILENT);
  await assert.rejects(
    node.broker.request("silent", {}, { timeoutMs: 20 }),
    (e) => e instanceof RequestTimeoutError && /within 20 ms/.test(e.message),
  );
  assert.equal(node.broker.pending, 0);
  const waiting = node.broker.request("silent", {}, { timeoutMs: 10_000 });
  assert.equal(node.broker.pending, 1);
  node.broker.close();
  await assert.rejects(waiting, ClosedError);
  await assert.rejects(node.broker.request("silent"), ClosedError);
});
