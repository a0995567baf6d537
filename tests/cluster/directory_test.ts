/**
 * The capability directory across the cluster: a provider on node A is found
 * by `GET /api/v1/capabilities` on node B and reached there by `cap:`; once A
 * is gone, it is neither.
 */
import assert from "node:assert/strict";
import { agentBytes, until } from "../_support/node.ts";
import { call } from "../_support/http.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";

Deno.test("a provider on node A is searched and reached by cap: from node B, until A is killed", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  await using b = await startClusterNode(nats.url, "node-b");
  const deployed = await call(`${a.api}/agents/echo?node=node-a&capabilities=echoing`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  const search = () => call(`${b.api}/capabilities?name=echoing`);
  await until(async () => (await search()).body.providers.length === 1, "B finds A's provider");
  assert.equal((await search()).body.providers[0].agent, "echo");

  // An outside participant on B asks "whoever echoes": A's agent answers.
  assert.equal((await call(`${b.api}/participants/sam`, { method: "PUT" })).status, 201);
  const ask = (replyWith: string) =>
    call(`${b.api}/participants/sam/messages`, {
      method: "POST",
      json: { performative: "request", receiver: ["cap:echoing"], content: "hi", replyWith },
    });
  const next = async (replyWith: string) => {
    for (let i = 0; i < 20; i++) {
      const polled = await call(`${b.api}/participants/sam/messages?wait=5000`);
      const found = polled.body.items.find((m: { inReplyTo?: string }) =>
        m.inReplyTo === replyWith
      );
      if (found) return found;
    }
    throw new Error(`no answer to ${replyWith}`);
  };
  assert.equal((await ask("q1")).status, 202);
  const answer = await next("q1");
  assert.equal(answer.sender, "echo");
  assert.equal(answer.content, "hi");

  await a.kill();
  await until(
    async () => (await search()).body.providers.length === 0,
    "A's provider gone",
    10_000,
  );
  await ask("q2");
  const failed = await next("q2");
  assert.equal(failed.performative, "failure");
  assert.equal(failed.content.code, "no_provider");
});
