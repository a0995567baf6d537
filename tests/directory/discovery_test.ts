import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { TestParticipant, until } from "../_support/node.ts";
import { runCliWith } from "../_support/process.ts";

const TRANSLATE = JSON.stringify({
  name: "translate",
  version: "1.2",
  attributes: { from: "en", to: "fr" },
  cost: 3,
});

interface _Found {
  providers: { agent: string; name: string; version?: string; state: string; load: number }[];
}

async function _search(api: string, query: string): Promise<_Found> {
  const res = await fetch(`${api}/capabilities?${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}

Deno.test("agents registering at init and at runtime are found by REST, CLI and df; a stopped one is gone", async () => {
  await using served = await startApiNode();
  const { node, api, url } = served;
  // echo_wat registers "echo" in caxton_init; describer registers what it is sent.
  await deploy(api, "echo-a", "echo_wat");
  await deploy(api, "echo-b", "echo_wat");
  await deploy(api, "linguist", "describer_as");
  using client = new TestParticipant(node);
  const registered = await client.request("linguist", TRANSLATE);
  assert.equal(registered.content, 0, "register_capability returned 0");

  // REST: by name, version range, attribute and cost; each with its state and load.
  const echo = await _search(api, "name=echo");
  assert.deepEqual(echo.providers.map((p) => p.agent).sort(), ["echo-a", "echo-b"]);
  assert.ok(echo.providers.every((p) => p.state === "running" && p.load === 0));
  const fr = await _search(api, "name=translate&version=%5E1&attribute=from=en&attribute=to=fr");
  assert.deepEqual(fr.providers.map((p) => [p.agent, p.version]), [["linguist", "1.2"]]);
  assert.equal((await _search(api, "name=translate&version=2")).providers.length, 0);
  assert.equal((await _search(api, "name=translate&attribute=to=de")).providers.length, 0);
  assert.equal((await _search(api, "name=translate&maxCost=2")).providers.length, 0);
  const bad = await fetch(`${api}/capabilities?version=banana`);
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get("content-type"), "application/problem+json");
  assert.match((await bad.json()).detail, /version "banana" is not a range/);

  // CLI: a table for people, JSON for machines, a one-line error and exit 2 for a bad range.
  const env = { CAXTON_SERVER: url, NO_COLOR: "1" };
  const table = await runCliWith({ env }, "capability", "search", "translate", "--version", "1.x");
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^linguist +translate +1\.2 +from=en,to=fr +3 +running +0$/m);
  const json = await runCliWith({ env }, "capability", "search", "echo", "--json");
  assert.equal(JSON.parse(json.stdout).providers.length, 2);
  const wrong = await runCliWith({ env }, "capability", "search", "--version", "x.y");
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /version "x\.y" is not a range/);

  // ACL: a FIPA request to df in its content language.
  const found = await client.request("df", {
    action: "search",
    name: "translate",
    version: "~1.2",
  });
  assert.equal(found.performative, "inform");
  assert.equal(found.sender, "df");
  assert.deepEqual(
    (found.content as _Found).providers.map((p) => p.agent),
    ["linguist"],
  );
  const refused = await client.request("df", { action: "register", capability: "spy" });
  assert.equal(refused.performative, "refuse");
  assert.equal((refused.content as { code: string }).code, "not_an_agent");

  // A stopped provider leaves search (every surface reads the same index).
  await node.agents.stop("echo-a");
  assert.deepEqual((await _search(api, "name=echo")).providers.map((p) => p.agent), ["echo-b"]);
  const afterStop = await client.request("df", { action: "search", name: "echo" });
  assert.deepEqual((afterStop.content as _Found).providers.map((p) => p.agent), ["echo-b"]);
  // Started again, it is back; removed, it is gone for good.
  await node.agents.start("echo-a");
  await until(
    async () => (await _search(api, "name=echo")).providers.length === 2,
    "echo-a back in search",
  );
  await node.agents.remove("echo-a");
  assert.deepEqual((await _search(api, "name=echo")).providers.map((p) => p.agent), ["echo-b"]);
});

Deno.test("cap: reaches one live provider per conversation, or all with /*, or fails with no_provider", async () => {
  await using served = await startApiNode();
  const { node, api } = served;
  await deploy(api, "echo-a", "echo_wat");
  await deploy(api, "echo-b", "echo_wat");
  using client = new TestParticipant(node);

  // One provider per message; both used across conversations (idle: taken in turn).
  const senders = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const reply = await client.request("cap:echo", `hello ${i}`);
    assert.equal(reply.content, `hello ${i}`);
    senders.add(reply.sender!);
  }
  assert.deepEqual([...senders].sort(), ["echo-a", "echo-b"]);

  // A conversation sticks to the provider its first message reached.
  const conversationId = "conv-sticky";
  const firsts: string[] = [];
  for (let i = 0; i < 6; i++) {
    const replyWith = `r-${i}`;
    const reply = client.next((m) => m.inReplyTo === replyWith);
    client.send({
      performative: "request",
      receiver: ["cap:echo"],
      content: "x",
      conversationId,
      replyWith,
    });
    firsts.push((await reply).sender!);
  }
  assert.equal(new Set(firsts).size, 1, `one provider for the conversation, got ${firsts}`);

  // Broadcast: every live provider gets it.
  const replyWith = "to-all";
  client.send({ performative: "request", receiver: ["cap:echo/*"], content: "all", replyWith });
  await until(
    () => client.received.filter((m) => m.inReplyTo === replyWith).length === 2,
    "both providers answer the broadcast",
  );

  // The conversation's provider stops: the next message goes to the other one.
  const kept = firsts[0]!;
  await node.agents.stop(kept);
  const moved = await (async () => {
    const reply = client.next((m) => m.inReplyTo === "after-stop");
    client.send({
      performative: "request",
      receiver: ["cap:echo"],
      content: "x",
      conversationId,
      replyWith: "after-stop",
    });
    return await reply;
  })();
  assert.notEqual(moved.sender, kept);
  assert.equal(moved.performative, "inform");

  // None live: the sender gets a failure with the reason.
  await node.agents.stop(moved.sender!);
  const none = await client.request("cap:echo", "anyone?");
  assert.equal(none.performative, "failure");
  assert.equal((none.content as { code: string }).code, "no_provider");
  assert.match((none.content as { reason: string }).reason, /every agent declaring it is stopped/);
  const unknown = await client.request("cap:nothing-here", "x");
  assert.equal((unknown.content as { code: string }).code, "no_provider");
  assert.match((unknown.content as { reason: string }).reason, /no agent declares capability/);
});

Deno.test("an agent registers, searches and deregisters in-band through df", async () => {
  await using served = await startApiNode();
  const { node, api } = served;
  await deploy(api, "scout", "df_client_as");
  await deploy(api, "echo-a", "echo_wat");
  using client = new TestParticipant(node);
  // df_client_as sends df a request with what it is sent, and forwards df's answer back.
  const ask = (action: unknown) => client.request("scout", JSON.stringify(action));

  const registered = await ask({
    action: "register",
    capability: { name: "summarise", version: "2.0.1", attributes: { lang: "en" } },
  });
  assert.equal(registered.performative, "inform", JSON.stringify(registered.content));
  assert.deepEqual(registered.content, { registered: "summarise" });
  assert.deepEqual(node.agents.get("scout").capabilities, ["summarise"]);
  const found = await ask({ action: "search", name: "summarise", version: ">=2 <3" });
  assert.deepEqual((found.content as _Found).providers.map((p) => p.agent), ["scout"]);
  const others = await ask({ action: "search", name: "echo" });
  assert.deepEqual((others.content as _Found).providers.map((p) => p.agent), ["echo-a"]);
  assert.equal((await _search(api, "name=summarise&attribute=lang=en")).providers.length, 1);

  const deregistered = await ask({ action: "deregister", name: "summarise" });
  assert.deepEqual(deregistered.content, { deregistered: "summarise" });
  assert.deepEqual((await _search(api, "name=summarise")).providers, []);
  const again = await ask({ action: "deregister", name: "summarise" });
  assert.equal(again.performative, "refuse");
  assert.equal((again.content as { code: string }).code, "not_registered");
  const malformed = await ask({ action: "register", capability: { name: "x", version: "one" } });
  assert.equal(malformed.performative, "refuse");
  assert.match((malformed.content as { reason: string }).reason, /version "one"/);

  // Not JSON, or a performative that is not a request: df says so.
  const notJson = await client.request("df", "not json");
  assert.equal(notJson.performative, "refuse");
  const queried = client.next((m) => m.inReplyTo === "q-1");
  client.send({ performative: "query-ref", receiver: ["df"], content: "{}", replyWith: "q-1" });
  assert.equal((await queried).performative, "not-understood");
});
