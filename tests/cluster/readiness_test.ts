/**
 * NATS gone: the node says `degraded` on /ready and keeps serving its own
 * agents; a new name cannot be claimed, so a deploy is refused with 503.
 */
import assert from "node:assert/strict";
import { agentBytes, until } from "../_support/node.ts";
import { countByResult, startTraffic } from "../_support/cluster_traffic.ts";
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
    const echoA = await call(`${a.api}/agents/echo-a`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
    assert.equal(echoA.status, 201);
    // Traffic both ways across the restart, every request counted.
    await using traffic = startTraffic([
      { name: "A→B", via: a, agent: "echo" },
      { name: "B→A", via: b, agent: "echo-a" },
    ], 15_000);
    const answered = (lane: string, after: number) =>
      traffic.outcomes.filter((o) => o.lane === lane && o.result === "answered" && o.sentAt > after)
        .length;
    await until(() => answered("A→B", 0) > 0 && answered("B→A", 0) > 0, "traffic both ways");
    const stoppedAt = Date.now();
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

      // Cross-node traffic flows again both ways, steadily: once a lane is answered after the
      // reconnect, every later request on it is answered.
      const backAt = Date.now();
      await until(
        () => answered("A→B", backAt) >= 20 && answered("B→A", backAt) >= 20,
        "20 answers each way after the reconnect",
      );
      const counted = await traffic.stop();
      const inFlight = counted.filter((o) => o.sentAt < stoppedAt && o.doneAt > stoppedAt);
      console.log(
        `traffic across the restart: ${
          JSON.stringify(countByResult(counted))
        }; in flight when NATS stopped: ${JSON.stringify(countByResult(inFlight))}`,
      );
      for (const lane of ["A→B", "B→A"]) {
        const after = counted.filter((o) => o.lane === lane && o.sentAt > backAt);
        const first = after.findIndex((o) => o.result === "answered");
        assert.deepEqual(countByResult(after.slice(first)), { answered: after.length - first });
      }
      // Every request accepted, before the restart or during it, was answered (its echo) or
      // failed node_unreachable: none lost, none timed out. One more ending, for a request whose
      // reply was lost while NATS was down: that reply's failure goes to the echo agent that sent
      // it, which answers it "pong" (it answers everything) in the request's conversation.
      for (const o of counted) {
        const echoedFailure = o.result === "wrong_answer" && o.sentAt < backAt &&
          JSON.parse(o.detail!).content === "pong";
        if (!echoedFailure) {
          assert.match(o.result, /^(answered|node_unreachable)$/, JSON.stringify(o));
        }
      }
    } finally {
      await nats[Symbol.asyncDispose]();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
