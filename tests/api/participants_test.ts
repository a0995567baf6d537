// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { until } from "../_support/node.ts";
import { assertProblem, call, openEvents } from "../_support/http.ts";

/** Webhooks to loopback are refused by default: these tests' receivers are allowed explicitly. */
const LOOPBACK_HOOKS = { webhookAllowPrivate: true };

/**
 * A real webhook receiver on loopback that refuses the first `failFirst`
 * posts; a post to `/moved` is redirected to `redirectTo`.
 */
function webhookServer(failFirst: number, redirectTo = "") {
  const received: { at: number; body: any }[] = [];
  let posts = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    posts++;
    const body = await req.json();
    if (new URL(req.url).pathname === "/moved") {
      return new Response(null, { status: 307, headers: { location: redirectTo } });
    }
    if (posts <= failFirst) return new Response("not yet", { status: 503 });
    received.push({ at: Date.now(), body });
    return new Response(null, { status: 204 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    movedUrl: `http://127.0.0.1:${server.addr.port}/moved`,
    received,
    get posts() {
      return posts;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("a registered participant receives by SSE stream, queued messages first", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  assert.equal((await call(`${n.api}/participants/sam`, { method: "PUT" })).status, 201);
  const view = await call(`${n.api}/participants/sam`);
  assert.equal(view.body.address, "ext:sam");
  assert.equal(view.body.delivery, "poll");
  const ask = (content: string) =>
    call(`${n.api}/participants/sam/messages`, {
      method: "POST",
      json: { performative: "request", receiver: ["echo"], content },
    });
  await ask("queued");
  await n.node.router.flushLog();
  // Wait until the first reply is queued, then subscribe.
  await until(() => n.node.participants.get("sam").queued === 1, "sam's queued message");
  const stream = await openEvents(`${n.api}/participants/sam/stream`);
  try {
    assert.equal((await stream.next())?.data.content, "queued");
    await ask("live");
    const live = await stream.next();
    assert.equal(live?.event, "message");
    assert.equal(live?.data.content, "live");
    assert.equal((await call(`${n.api}/participants/sam`)).body.delivery, "stream");
  } finally {
    await stream.close();
  }
});

Deno.test("a webhook participant gets messages POSTed, retried with backoff until taken", async () => {
  await using hook = webhookServer(2);
  await using n = await startApiNode(LOOPBACK_HOOKS);
  await deploy(n.api, "echo", "echo_wat");
  const registered = await call(`${n.api}/participants/hooked`, {
    method: "PUT",
    json: { webhook: { url: hook.url, backoffMs: 50, maxAttempts: 5 } },
  });
  assert.equal(registered.status, 201);
  assert.equal(registered.body.delivery, "webhook");
  const started = Date.now();
  await call(`${n.api}/participants/hooked/messages`, {
    method: "POST",
    json: { performative: "request", receiver: ["echo"], content: "via webhook" },
  });
  await until(() => hook.received.length === 1, "the webhook's POST");
  assert.equal(hook.posts, 3, "two refusals, then taken");
  assert.equal(hook.received[0]!.body.content, "via webhook");
  assert.equal(hook.received[0]!.body.sender, "echo");
  // Backoff 50 ms then 100 ms before the third try.
  assert.ok(hook.received[0]!.at - started >= 150);
});

Deno.test("a webhook that never takes a message gives up and the sender gets failure", async () => {
  await using hook = webhookServer(1_000);
  await using n = await startApiNode(LOOPBACK_HOOKS);
  await call(`${n.api}/participants/sender`, { method: "PUT" });
  await call(`${n.api}/participants/dead`, {
    method: "PUT",
    json: { webhook: { url: hook.url, backoffMs: 10, maxAttempts: 3 } },
  });
  await call(`${n.api}/participants/sender/messages`, {
    method: "POST",
    json: { performative: "inform", receiver: ["ext:dead"], content: "lost?", replyWith: "w1" },
  });
  const polled = await call(`${n.api}/participants/sender/messages?wait=5000`);
  const failure = polled.body.items[0];
  assert.equal(failure.performative, "failure");
  assert.equal(failure.sender, "ext:dead");
  assert.equal(failure.inReplyTo, "w1");
  assert.match(failure.content.reason, /after 3 attempts \(last: HTTP 503\)/);
  assert.equal(hook.posts, 3);
});

Deno.test("participants are listed, re-registered and removed; bad registrations are problems", async () => {
  await using n = await startApiNode();
  await call(`${n.api}/participants/one`, { method: "PUT" });
  assert.equal((await call(`${n.api}/participants/one`, { method: "PUT" })).status, 200);
  const list = await call(`${n.api}/participants`);
  assert.deepEqual(list.body.items.map((p: { name: string }) => p.name), ["one"]);
  assertProblem(
    await call(`${n.api}/participants/Bad!`, { method: "PUT" }),
    400,
    "invalid_participant",
  );
  assertProblem(
    await call(`${n.api}/participants/two`, { method: "PUT", json: { webhook: "ftp://x" } }),
    400,
    "invalid_participant",
  );
  assertProblem(
    await call(`${n.api}/participants/two`, { method: "PUT", json: { capacity: -1 } }),
    400,
    "bad_request",
  );
  assertProblem(
    await call(`${n.api}/participants/one/messages`, {
      method: "POST",
      json: { performative: "inform", sender: "ext:other", receiver: ["x"] },
    }),
    400,
    "sender_mismatch",
  );
  assert.equal((await call(`${n.api}/participants/one`, { method: "DELETE" })).status, 204);
  assertProblem(await call(`${n.api}/participants/one`), 404, "participant_not_found");
});

Deno.test("closing the node ends open streams and long polls, so shutdown never hangs", async () => {
  const n = await startApiNode();
  try {
    await call(`${n.api}/participants/late`, { method: "PUT" });
    const stream = await openEvents(`${n.api}/participants/late/stream`);
    const tail = await openEvents(`${n.api}/messages/tail`);
    const poll = call(`${n.api}/participants/late/messages?wait=60000`);
    // The stream and tail are open once their first bytes arrived; the poll once it waits.
    await until(() => n.node.participants.get("late").pollers === 1, "the long poll to wait");
    await n.node.close();
    assert.equal(await stream.next(), null, "the stream ended");
    assert.equal(await tail.next(), null, "the tail ended");
    assert.deepEqual((await poll).body.items, [], "the long poll answered empty");
  } finally {
    await n[Symbol.asyncDispose]();
  }
});

Deno.test("registrations, webhooks included, survive a restart; removed ones stay removed", async () => {
  await using hook = webhookServer(0);
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-participants-" });
  try {
    {
      await using n = await startApiNode({ dataDir, ...LOOPBACK_HOOKS });
      await call(`${n.api}/participants/kept`, {
        method: "PUT",
        json: { webhook: { url: hook.url, backoffMs: 10 } },
      });
      await call(`${n.api}/participants/gone`, { method: "PUT" });
      await call(`${n.api}/participants/gone`, { method: "DELETE" });
    }
    await using n = await startApiNode({ dataDir, ...LOOPBACK_HOOKS });
    await deploy(n.api, "echo", "echo_wat");
    const list = await call(`${n.api}/participants`);
    assert.deepEqual(list.body.items.map((p: { name: string }) => p.name), ["kept"]);
    assert.equal(list.body.items[0].webhook, hook.url);
    await call(`${n.api}/participants/kept/messages`, {
      method: "POST",
      json: { performative: "request", receiver: ["echo"], content: "after restart" },
    });
    await until(() => hook.received.length === 1, "the webhook's POST");
    assert.equal(hook.received[0]!.body.content, "after restart");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("by default a webhook to loopback, metadata or private addresses is refused at registration", async () => {
  await using n = await startApiNode();
  const targets: [string, string][] = [
    ["http://127.0.0.1:9/hook", "loopback"],
    ["http://localhost:9/hook", "loopback"],
    ["http://169.254.169.254/latest/meta-data/", "cloud-metadata"],
    ["http://[::ffff:169.254.169.254]/", "cloud-metadata"],
    ["http://10.0.0.5/", "private"],
    ["http://[fd00::1]/", "unique-local"],
    ["http://100.64.1.1/", "carrier-grade-nat"],
    ["http://0.0.0.0:9/", "unspecified"],
  ];
  for (const [url, addressClass] of targets) {
    const res = await call(`${n.api}/participants/probe`, {
      method: "PUT",
      json: { webhook: url },
    });
    assertProblem(res, 422, "webhook_address_refused");
    assert.equal(res.body.addressClass, addressClass, url);
    assert.match(res.body.detail, new RegExp(`a ${addressClass} address`));
    assert.match(res.body.remedy, /webhookAllowPrivate.*webhookAllowlist/);
  }
  assertProblem(await call(`${n.api}/participants/probe`), 404, "participant_not_found");
});

Deno.test("a webhook the node no longer allows is refused at delivery: the sender gets failure, the hook nothing", async () => {
  await using hook = webhookServer(0);
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-participants-" });
  try {
    {
      await using n = await startApiNode({ dataDir, ...LOOPBACK_HOOKS });
      const put = await call(`${n.api}/participants/inside`, {
        method: "PUT",
        json: { webhook: { url: hook.url, backoffMs: 10 } },
      });
      assert.equal(put.status, 201);
    }
    // Restarted with the default policy: the saved registration comes back, its deliveries do not go.
    await using n = await startApiNode({ dataDir });
    await call(`${n.api}/participants/sender`, { method: "PUT" });
    await call(`${n.api}/participants/sender/messages`, {
      method: "POST",
      json: { performative: "inform", receiver: ["ext:inside"], content: "no", replyWith: "r1" },
    });
    const polled = await call(`${n.api}/participants/sender/messages?wait=5000`);
    const failure = polled.body.items[0];
    assert.equal(failure.performative, "failure");
    assert.equal(failure.inReplyTo, "r1");
    assert.equal(failure.content.code, "webhook_address_refused");
    assert.match(failure.content.reason, /127\.0\.0\.1 is a loopback address/);
    assert.equal(hook.posts, 0);
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("a webhook allowed by the allowlist that redirects to the metadata address has that hop refused", async () => {
  await using hook = webhookServer(0, "http://169.254.169.254/latest/meta-data/iam");
  await using n = await startApiNode({ webhookAllowlist: ["127.0.0.1/32"] });
  assert.equal(
    (await call(`${n.api}/participants/hooked`, {
      method: "PUT",
      json: { webhook: { url: hook.movedUrl, backoffMs: 10 } },
    })).status,
    201,
  );
  await call(`${n.api}/participants/sender`, { method: "PUT" });
  await call(`${n.api}/participants/sender/messages`, {
    method: "POST",
    json: { performative: "inform", receiver: ["ext:hooked"], content: "x", replyWith: "r2" },
  });
  const polled = await call(`${n.api}/participants/sender/messages?wait=5000`);
  const failure = polled.body.items[0];
  assert.equal(failure.content.code, "webhook_address_refused");
  assert.match(failure.content.reason, /169\.254\.169\.254 is a cloud-metadata address/);
  assert.equal(hook.posts, 1, "the first hop was made, the redirect was not followed");
  assert.deepEqual(hook.received, []);
});
