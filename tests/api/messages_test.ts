import assert from "node:assert/strict";
import { printFipaString } from "../../src/acl/mod.ts";
import { agentBytes } from "../_support/node.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call, openEvents } from "../_support/http.ts";

async function register(api: string, name: string, body?: unknown) {
  const res = await call(`${api}/participants/${name}`, { method: "PUT", json: body });
  assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
  return res.body;
}

Deno.test("a participant sends JSON to an agent and long-polls its reply", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "alice");
  const sent = await call(`${n.api}/messages`, {
    method: "POST",
    json: {
      performative: "request",
      sender: "ext:alice",
      receiver: ["echo"],
      content: "hello",
      conversationId: "c-1",
      replyWith: "r-1",
    },
  });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  assert.deepEqual(sent.body, { delivered: 1, refused: [] });
  const polled = await call(`${n.api}/participants/alice/messages?wait=5000`);
  assert.equal(polled.status, 200);
  assert.equal(polled.body.items.length, 1);
  const reply = polled.body.items[0];
  assert.equal(reply.performative, "inform");
  assert.equal(reply.sender, "echo");
  assert.equal(reply.content, "hello");
  assert.equal(reply.inReplyTo, "r-1");
  const empty = await call(`${n.api}/participants/alice/messages?wait=50`);
  assert.deepEqual(empty.body.items, [], "a wait that runs out returns nothing");
});

Deno.test("a message in the FIPA string encoding is accepted as text/fipa-acl", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "bob");
  const text = printFipaString({
    performative: "request",
    receiver: ["echo"],
    content: "fipa hello",
    conversationId: "c-fipa",
    replyWith: "r-fipa",
  });
  const sent = await call(`${n.api}/participants/bob/messages`, {
    method: "POST",
    headers: { "content-type": "text/fipa-acl" },
    body: text,
  });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  const polled = await call(`${n.api}/participants/bob/messages?wait=5000`);
  assert.equal(polled.body.items[0].content, "fipa hello");
  const bad = await call(`${n.api}/participants/bob/messages`, {
    method: "POST",
    headers: { "content-type": "text/fipa-acl" },
    body: "(request :receiver",
  });
  assertProblem(bad, 400, "invalid_message");
});

Deno.test("the log is queried by conversation, by agent and by time, and a conversation reads in order", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "carol");
  const before = Date.now();
  for (const [i, conversationId] of ["k-1", "k-2", "k-1"].entries()) {
    await call(`${n.api}/participants/carol/messages`, {
      method: "POST",
      json: {
        performative: "request",
        receiver: ["echo"],
        content: `m${i}`,
        conversationId,
        replyWith: `r${i}`,
      },
    });
    // One exchange at a time, so the log's order is the conversation's.
    const reply = await call(`${n.api}/participants/carol/messages?wait=5000`);
    assert.equal(reply.body.items[0].inReplyTo, `r${i}`);
  }
  await n.node.router.flushLog();
  const conversation = await call(`${n.api}/conversations/k-1`);
  assert.equal(conversation.status, 200);
  assert.deepEqual(
    conversation.body.messages.map((d: { message: { performative: string; content: string } }) =>
      `${d.message.performative}:${d.message.content}`
    ),
    ["request:m0", "inform:m0", "request:m2", "inform:m2"],
  );
  assert.deepEqual(conversation.body.participants.sort(), ["echo", "ext:carol"]);
  const byConversation = await call(`${n.api}/messages?conversation=k-2`);
  assert.equal(byConversation.body.items.length, 2);
  const byAgent = await call(`${n.api}/messages?agent=ext:carol&limit=4`);
  assert.equal(byAgent.body.items.length, 4);
  assert.ok(byAgent.body.next !== null);
  const rest = await call(`${n.api}/messages?agent=ext:carol&after=${byAgent.body.next}`);
  assert.equal(rest.body.items.length, 2);
  const byTime = await call(
    `${n.api}/messages?since=${new Date(before).toISOString()}&until=${Date.now() + 1000}`,
  );
  assert.equal(byTime.body.items.length, 6);
  const none = await call(`${n.api}/messages?until=${before}`);
  assert.equal(none.body.items.length, 0);
  assertProblem(await call(`${n.api}/conversations/nope`), 404, "conversation_not_found");
  assertProblem(await call(`${n.api}/messages?since=yesterday`), 400, "bad_query");
});

Deno.test("refused sends are problems: unknown receiver 404, stopped agent 503, full mailbox 429 with Retry-After", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await register(n.api, "dave");
  await register(n.api, "slow", { capacity: 1 });
  const send = (receiver: string) =>
    call(`${n.api}/participants/dave/messages`, {
      method: "POST",
      json: { performative: "inform", receiver: [receiver], content: 1 },
    });
  assertProblem(await send("nobody"), 404, "unknown_receiver");
  assert.equal((await send("ext:slow")).status, 202);
  const full = await send("ext:slow");
  assertProblem(full, 429, "mailbox_full");
  assert.equal(full.headers.get("retry-after"), "1");
  await call(`${n.api}/agents/echo/stop`, { method: "POST" });
  const stopped = await send("echo");
  assertProblem(stopped, 503, "agent_unavailable");
  assert.equal(stopped.headers.get("retry-after"), "1");
  // Refusals were answered to the HTTP caller, not queued for the participant.
  assert.deepEqual((await call(`${n.api}/participants/dave/messages`)).body.items, []);
});

Deno.test("a message over the agent's maxMessageBytes is a 413 problem", async () => {
  await using n = await startApiNode();
  const res = await fetch(`${n.api}/agents/small?limits.maxMessageBytes=256`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201);
  await res.body?.cancel();
  await register(n.api, "frank");
  const big = await call(`${n.api}/participants/frank/messages`, {
    method: "POST",
    json: { performative: "inform", receiver: ["small"], content: "x".repeat(1000) },
  });
  assertProblem(big, 413, "message_too_large");
  assert.match(big.body.detail, /over its cap of 256/);
});

Deno.test("bad input to /messages: bad JSON, no sender, unregistered sender, wrong media type", async () => {
  await using n = await startApiNode();
  assertProblem(
    await call(`${n.api}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    }),
    400,
    "bad_json",
  );
  assertProblem(
    await call(`${n.api}/messages`, {
      method: "POST",
      json: { performative: "inform", receiver: ["x"] },
    }),
    400,
    "missing_sender",
  );
  assertProblem(
    await call(`${n.api}/messages`, {
      method: "POST",
      json: { performative: "inform", sender: "ext:ghost", receiver: ["x"] },
    }),
    404,
    "participant_not_found",
  );
  assertProblem(
    await call(`${n.api}/messages`, {
      method: "POST",
      json: { performative: "shout", sender: "ext:ghost", receiver: ["x"] },
    }),
    400,
    "invalid_message",
  );
  assertProblem(
    await call(`${n.api}/messages`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: "<m/>",
    }),
    415,
    "unsupported_media_type",
  );
});

Deno.test("the live tail streams deliveries as SSE, filtered by agent and performative", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await deploy(n.api, "other", "echo_wat");
  await register(n.api, "erin");
  const tail = await openEvents(`${n.api}/messages/tail?agent=echo&performative=inform`);
  try {
    for (const receiver of ["other", "echo"]) {
      await call(`${n.api}/participants/erin/messages`, {
        method: "POST",
        json: { performative: "request", receiver: [receiver], content: receiver },
      });
    }
    const event = await tail.next();
    assert.equal(event?.event, "message");
    assert.equal(event?.data.message.performative, "inform");
    assert.equal(event?.data.message.sender, "echo");
    assert.equal(event?.data.receiver, "ext:erin");
    assert.equal(event?.data.message.content, "echo");
  } finally {
    await tail.close();
  }
});
