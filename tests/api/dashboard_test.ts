/**
 * What the dashboard reads that the API did not say before issue 19:
 * /stats, an agent's recent logs, a conversation's protocol verdict with its
 * FIPA strings, the tail's protocol filter; and /ui's files.
 */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call, openEvents } from "../_support/http.ts";
import { TestParticipant, until } from "../_support/node.ts";

Deno.test("/stats counts agents by state, deliveries, handled messages and their latency", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const before = (await call(`${n.api}/stats`)).body;
  using me = new TestParticipant(n.node);
  assert.equal((await me.request("echo", "hi")).content, "hi");
  await until(
    async () => (await call(`${n.api}/stats`)).body.recentLatency.deliveries === 2,
    "both deliveries handled in the log",
  );
  const res = await call(`${n.api}/stats`);
  assert.equal(res.status, 200);
  const now = res.body;
  assert.equal(now.agents.running, 1);
  assert.equal(now.agents.failed, 0);
  assert.ok(now.messages.deliveries >= before.messages.deliveries + 2, "request and reply");
  assert.equal(now.messages.sent, 1, "echo's reply");
  // Tracing is off by default: the histogram is empty, the log's timings are not.
  assert.equal(now.deliveryLatency.count, 0);
  assert.equal(now.recentLatency.deliveries, 2, "request and reply, handled");
  assert.ok(now.recentLatency.p99Ms >= now.recentLatency.p50Ms && now.recentLatency.p50Ms >= 0);
  assert.ok(Date.parse(now.at) >= Date.parse(before.at));
});

Deno.test("with tracing on, /stats has the delivery latency histogram", async () => {
  await using n = await startApiNode({ tracing: true });
  await deploy(n.api, "echo", "echo_wat");
  using me = new TestParticipant(n.node);
  await me.request("echo", "hi");
  await until(
    async () => (await call(`${n.api}/stats`)).body.deliveryLatency.count >= 1,
    "a delivery timed",
  );
  const { deliveryLatency } = (await call(`${n.api}/stats`)).body;
  assert.equal(deliveryLatency.counts.length, deliveryLatency.buckets.length + 1);
});

Deno.test("an agent's recent log lines, oldest first, after a cursor; an unknown agent is a 404", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "counter", "c/counter");
  using me = new TestParticipant(n.node);
  await me.request("counter", "one");
  await me.request("counter", "two");
  await until(
    async () => (await call(`${n.api}/agents/counter/logs`)).body.items.length === 2,
    "two log lines",
  );
  const { body } = await call(`${n.api}/agents/counter/logs`);
  assert.equal(body.agent, "counter");
  assert.deepEqual(body.items.map((l: { text: string }) => l.text), [
    "count is now 1",
    "count is now 2",
  ]);
  assert.equal(body.items[0].level, "info");
  const after = await call(`${n.api}/agents/counter/logs?after=${body.items[0].seq}`);
  assert.deepEqual(after.body.items.map((l: { text: string }) => l.text), ["count is now 2"]);
  assertProblem(await call(`${n.api}/agents/nobody/logs`), 404, "agent_not_found");
  assertProblem(await call(`${n.api}/agents/counter/logs?after=-1`), 400, "bad_query");
});

Deno.test("a conversation's check gives the protocol verdict, its violations and each message as a FIPA string", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  using me = new TestParticipant(n.node);
  // fipa-request: a request answered by inform is a completed exchange.
  const replyWith = "r-1";
  const reply = me.next((m) => m.inReplyTo === replyWith);
  me.send({
    performative: "request",
    receiver: ["echo"],
    content: "hi",
    conversationId: "c-ok",
    protocol: "fipa-request",
    replyWith,
  });
  await reply;
  await until(async () => (await call(`${n.api}/conversations/c-ok`)).status === 200, "logged");
  await until(
    async () => (await call(`${n.api}/conversations/c-ok`)).body.messages.length === 2,
    "both deliveries logged",
  );
  const ok = (await call(`${n.api}/conversations/c-ok/check`)).body;
  assert.equal(ok.protocol, "fipa-request");
  assert.equal(ok.ok, true, JSON.stringify(ok.violations));
  assert.equal(ok.messages.length, 2);
  assert.match(ok.messages[0].fipa, /^\(request /);
  assert.match(ok.messages[0].fipa, /:conversation-id c-ok/);
  assert.match(ok.messages[1].fipa, /^\(inform /);

  // One message to two receivers is one message to the checker, with both deliveries.
  const replies = me.next((m) => m.inReplyTo === "r-2");
  await deploy(n.api, "echo2", "echo_wat");
  me.send({
    performative: "agree",
    receiver: ["echo", "echo2"],
    content: "x",
    conversationId: "c-bad",
    protocol: "fipa-request",
    replyWith: "r-2",
  });
  await replies;
  await until(
    async () => (await call(`${n.api}/conversations/c-bad`)).body.messages?.length >= 3,
    "the agree and a reply logged",
  );
  const bad = (await call(`${n.api}/conversations/c-bad/check`)).body;
  assert.equal(bad.ok, false);
  assert.equal(bad.messages[0].deliveries.length, 2);
  assert.ok(bad.violations.some((v: { index: number }) => v.index === 0), "the opening agree");
  assertProblem(await call(`${n.api}/conversations/none/check`), 404, "conversation_not_found");
});

Deno.test("the live tail filters by protocol", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const events = await openEvents(`${n.api}/messages/tail?protocol=fipa-query`);
  try {
    using me = new TestParticipant(n.node);
    me.send({ performative: "inform", receiver: ["echo"], content: "skipped" });
    me.send({
      performative: "query-ref",
      receiver: ["echo"],
      content: "kept",
      protocol: "fipa-query",
    });
    const first = await events.next();
    assert.equal(first?.data.message.content, "kept");
  } finally {
    await events.close();
  }
});

Deno.test("/ui serves the bundled page, script and styles; other names are 404 problems", async () => {
  await using n = await startApiNode();
  const page = await fetch(`${n.url}/ui`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  assert.match(page.headers.get("content-security-policy")!, /default-src 'self'/);
  assert.match(await page.text(), /<script type="module" src="\/ui\/app.js">/);
  const slash = await fetch(`${n.url}/ui/`);
  assert.match(await slash.text(), /<div id="app">/, "/ui/ is the page too");
  const script = await fetch(`${n.url}/ui/app.js`);
  assert.match(script.headers.get("content-type")!, /^text\/javascript/);
  assert.ok((await script.arrayBuffer()).byteLength > 10_000, "the bundle");
  const worker = await fetch(`${n.url}/ui/tail_worker.js`);
  assert.match(await worker.text(), /text\/event-stream/, "the tail's reader");
  const css = await fetch(`${n.url}/ui/app.css`);
  assert.match(await css.text(), /\.uplot/);
  assertProblem(await call(`${n.url}/ui/secrets.txt`), 404, "not_found");
});
