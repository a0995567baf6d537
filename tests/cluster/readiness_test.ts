/**
 * NATS gone: the node says `degraded` on /ready and keeps serving its own
 * agents; a new name cannot be claimed, so a deploy is refused with 503.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";

Deno.test("NATS unreachable: /ready says degraded, local requests are still answered, a new deploy gets 503", async () => {
  await using nats = await startNats();
  await using node = await startClusterNode(nats.url, "node-a");
  const deploy = (name: string) =>
    call(`${node.api}/agents/${name}`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
  assert.equal((await deploy("echo")).status, 201);
  const before = await call(`${node.url}/ready`);
  assert.equal(before.body.status, "ready");
  assert.equal(before.body.checks.cluster, "ok");

  nats.process.kill("SIGKILL");
  await nats.process.status;
  let ready = await call(`${node.url}/ready`);
  for (let i = 0; ready.body.status !== "degraded" && i < 500; i++) {
    await new Promise((r) => setTimeout(r, 20));
    ready = await call(`${node.url}/ready`);
  }
  assert.equal(ready.status, 200, "degraded still serves");
  assert.equal(ready.body.status, "degraded");
  assert.equal(ready.body.checks.cluster, "nats_unreachable");

  const answer = await call(`${node.api}/agents/echo/request`, {
    method: "POST",
    json: { content: "still here" },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.content, "still here");
  assertProblem(await deploy("newcomer"), 503, "cluster_unavailable");
});

Deno.test("a NATS server restart: nodes reconnect, see each other again and carry messages; nothing accepted is lost", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-nats-kept-" });
  try {
    let nats = await startNats({ dir });
    const port = nats.port;
    await using a = await startClusterNode(nats.url, "node-a");
    await using b = await startClusterNode(nats.url, "node-b");
    const echo = await call(`${b.api}/agents/echo`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
    assert.equal(echo.status, 201);
    await nats[Symbol.asyncDispose]();
    // Requests accepted while NATS is down: each is answered or failed, none lost or hung.
    const during = Array.from(
      { length: 10 },
      (_, i) =>
        call(`${a.api}/agents/echo/request?timeout=15000`, {
          method: "POST",
          json: { content: `during ${i}` },
        }),
    );
    nats = await startNats({ dir, port });
    try {
      const outcomes = await Promise.all(during);
      for (const [i, res] of outcomes.entries()) {
        assert.equal(res.status, 200, JSON.stringify(res.body));
        if (res.body.performative === "failure") {
          assert.equal(res.body.content.code, "node_unreachable", JSON.stringify(res.body));
        } else assert.equal(res.body.content, `during ${i}`);
      }
      console.log(
        `during the restart: ${
          outcomes.filter((r) => r.body.performative !== "failure").length
        }/10 answered, the rest failed node_unreachable`,
      );
      for (const node of [a, b]) {
        let ready = await call(`${node.url}/ready`);
        for (let i = 0; ready.body.status !== "ready" && i < 1_000; i++) {
          await new Promise((r) => setTimeout(r, 20));
          ready = await call(`${node.url}/ready`);
        }
        assert.equal(ready.body.status, "ready", `${node.name} reconnected`);
      }
      // Heartbeats and watches resumed: each sees the other joined, and B's echo answers A.
      let peers = await call(`${a.api}/cluster`);
      for (let i = 0; i < 500; i++) {
        if (peers.body.nodes.every((n: { state: string }) => n.state === "joined")) break;
        await new Promise((r) => setTimeout(r, 20));
        peers = await call(`${a.api}/cluster`);
      }
      assert.deepEqual(peers.body.nodes.map((n: { state: string }) => n.state), [
        "joined",
        "joined",
      ]);
      const answer = await call(`${a.api}/agents/echo/request?timeout=10000`, {
        method: "POST",
        json: { content: "after restart" },
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.content, "after restart");
    } finally {
      await nats[Symbol.asyncDispose]();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
