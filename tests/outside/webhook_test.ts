import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import { AddressGuard, type GiveUp, type WebhookAddressPolicy } from "../../src/outside/mod.ts";
import { resolveWithDns } from "../../src/outside/address_guard.ts";
import { WebhookSender } from "../../src/outside/webhook.ts";
import { type DnsServer, startDnsServer } from "../_support/dns.ts";
import { until } from "../_support/node.ts";

/** A loopback receiver; `/moved` redirects to `?to=`, `/loop` to itself, anything else takes the message. */
function receiver() {
  const got: { host: string | null; path: string; body: unknown }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.json();
    if (url.pathname === "/loop") {
      return new Response(null, { status: 302, headers: { location: "/loop" } });
    }
    if (url.pathname === "/moved") {
      return new Response(null, {
        status: 307,
        headers: { location: url.searchParams.get("to")! },
      });
    }
    got.push({ host: req.headers.get("host"), path: url.pathname, body });
    return new Response(null, { status: 204 });
  });
  return { port: server.addr.port, got, [Symbol.asyncDispose]: () => server.shutdown() };
}

function sender(url: string, policy: WebhookAddressPolicy, dns: DnsServer) {
  const givenUp: { message: AclMessage; why: GiveUp }[] = [];
  const guard = new AddressGuard(
    policy,
    (host, signal) => resolveWithDns(host, { signal, nameServer: dns.nameServer }),
  );
  const hook = new WebhookSender(
    { url, backoffMs: 1, maxAttempts: 3 },
    (message, why) => givenUp.push({ message, why }),
    guard,
  );
  return { hook, givenUp };
}

const MESSAGE: AclMessage = {
  performative: "inform",
  sender: "a",
  receiver: ["ext:b"],
  content: 1,
};

Deno.test("a webhook name is resolved at delivery and the POST goes to the address checked", async () => {
  await using dns = await startDnsServer({ "hook.test": ["127.0.0.1"] });
  await using server = receiver();
  const { hook, givenUp } = sender(
    `http://hook.test:${server.port}/in`,
    { allowlist: ["127.0.0.1/32"] },
    dns,
  );
  hook.push(MESSAGE);
  await until(() => hook.stats.delivered === 1, "the delivery");
  await hook.close();
  assert.deepEqual(givenUp, []);
  // Reached through our DNS answer, with the URL's name kept as the Host.
  assert.equal(server.got[0]!.host, `hook.test:${server.port}`);
  assert.deepEqual(server.got[0]!.body, MESSAGE);
  assert.ok(dns.queries > 0);
});

Deno.test("a webhook name that resolves to an internal address is refused at delivery, without retries", async () => {
  await using dns = await startDnsServer({ "hook.test": ["127.0.0.1"] });
  await using server = receiver();
  const { hook, givenUp } = sender(`http://hook.test:${server.port}/in`, {}, dns);
  hook.push(MESSAGE);
  await until(() => givenUp.length === 1, "the give-up");
  await hook.close();
  assert.equal(givenUp[0]!.why.code, "webhook_address_refused");
  assert.match(givenUp[0]!.why.reason, /127\.0\.0\.1 is a loopback address/);
  assert.equal(hook.stats.retries, 0, "a refused address is not retried");
  assert.deepEqual(server.got, [], "nothing reached the server");
});

Deno.test("every redirect hop is checked: a hop to the metadata address is refused, a hop to an allowed one followed", async () => {
  await using dns = await startDnsServer({});
  await using server = receiver();
  const base = `http://127.0.0.1:${server.port}`;
  const allowed = { allowlist: ["127.0.0.1/32"] };
  const follows = sender(`${base}/moved?to=${encodeURIComponent(`${base}/final`)}`, allowed, dns);
  follows.hook.push(MESSAGE);
  await until(() => follows.hook.stats.delivered === 1, "the redirected delivery");
  await follows.hook.close();
  assert.equal(server.got[0]!.path, "/final");
  assert.deepEqual(server.got[0]!.body, MESSAGE, "the same POST, body included");

  const metadata = "http://169.254.169.254/latest/meta-data/";
  const refused = sender(`${base}/moved?to=${encodeURIComponent(metadata)}`, allowed, dns);
  refused.hook.push(MESSAGE);
  await until(() => refused.givenUp.length === 1, "the give-up");
  await refused.hook.close();
  assert.equal(refused.givenUp[0]!.why.code, "webhook_address_refused");
  assert.match(refused.givenUp[0]!.why.reason, /169\.254\.169\.254 is a cloud-metadata address/);
  assert.equal(server.got.length, 1, "only the first delivery arrived");
});

Deno.test("a redirect loop ends after a bounded number of hops", async () => {
  await using dns = await startDnsServer({});
  await using server = receiver();
  const loop = `http://127.0.0.1:${server.port}/loop`;
  const { hook, givenUp } = sender(loop, { allowPrivate: true }, dns);
  hook.push(MESSAGE);
  await until(() => givenUp.length === 1, "the give-up");
  await hook.close();
  assert.equal(givenUp[0]!.why.code, "agent_unavailable");
  assert.match(givenUp[0]!.why.reason, /after 3 attempts \(last: more than 5 redirects\)/);
  assert.deepEqual(server.got, []);
});

Deno.test("a webhook that never answers is abandoned after timeoutMs per try, then given up", async () => {
  await using dns = await startDnsServer({});
  const release = Promise.withResolvers<void>();
  let tries = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    tries++;
    await release.promise;
    return new Response(null, { status: 204 });
  });
  try {
    const givenUp: GiveUp[] = [];
    const hook = new WebhookSender(
      {
        url: `http://127.0.0.1:${server.addr.port}/`,
        timeoutMs: 100,
        backoffMs: 1,
        maxAttempts: 2,
      },
      (_m, why) => givenUp.push(why),
      new AddressGuard(
        { allowPrivate: true },
        (host, signal) => resolveWithDns(host, { signal, nameServer: dns.nameServer }),
      ),
    );
    hook.push(MESSAGE);
    await until(() => givenUp.length === 1, "the give-up");
    await hook.close();
    assert.equal(tries, 2);
    assert.match(givenUp[0]!.reason, /after 2 attempts/);
  } finally {
    release.resolve();
    await server.shutdown();
  }
});
