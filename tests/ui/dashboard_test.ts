/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by
 * playwright-core) against a real node over loopback: what a person does at
 * `/ui`, end to end.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { agentBytes, TestParticipant, until } from "../_support/node.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser } from "../_support/browser.ts";

Deno.test("the dashboard lists agents, deploys one by upload, sends a message, tails it and draws every hop of its conversation", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await using b = await launchBrowser();
  const page = await b.page();

  await page.goto(`${n.url}/ui#/agents`);
  await page.locator("tr[data-agent=echo]").getByText("running").waitFor();

  // Deploy by upload, with a limit.
  await page.setInputFiles("input[type=file]", {
    name: "greeter.wasm",
    mimeType: "application/wasm",
    buffer: Buffer.from(agentBytes("echo_wat")),
  });
  assert.equal(await page.inputValue("input[name=name]"), "greeter", "named after the file");
  await page.getByLabel("Max message bytes").fill("65536");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByRole("status").getByText("Deployed greeter (version 1)").waitFor();
  await page.locator("tr[data-agent=greeter]").getByText("running").waitFor();
  const greeter = await (await fetch(`${n.api}/agents/greeter`)).json();
  assert.equal(greeter.limits.maxMessageBytes, 65536);

  // Send from the Messages page and see both hops in the live tail.
  await page.getByRole("link", { name: "Messages" }).click();
  await page.locator("[data-tail=open]").waitFor();
  await page.getByText("Send a message").click();
  await page.getByLabel("To agent", { exact: true }).fill("greeter");
  await page.getByLabel("Protocol", { exact: true }).selectOption("fipa-request");
  await page.getByLabel("Content", { exact: true }).fill("hello from the browser");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByText("Sent to 1 receiver(s)").waitFor();
  const tail = page.locator("table.tail tbody tr");
  await tail.filter({ hasText: "request" }).filter({ hasText: "hello from the browser" }).waitFor();
  await tail.filter({ hasText: "inform" }).filter({ hasText: "ext:dashboard" }).waitFor();

  // Open its conversation from the tail: every logged delivery is one arrow.
  await tail.filter({ hasText: "request" }).getByRole("link").click();
  const id = decodeURIComponent(page.url().split("#/conversations/")[1]!);
  const logged = await (await fetch(`${n.api}/conversations/${encodeURIComponent(id)}`)).json();
  assert.equal(logged.messages.length, 2, "request and inform");
  await page.locator("svg.sequence g.hop").nth(1).waitFor();
  const hops = await page.locator("svg.sequence g.hop").evaluateAll((gs) =>
    gs.map((g) => Number(g.getAttribute("data-delivery")))
  );
  assert.deepEqual(hops, logged.messages.map((m: { id: number }) => m.id));
  const lanes = await page.locator("svg.sequence g.lifeline").evaluateAll((gs) =>
    gs.map((g) => g.getAttribute("data-participant"))
  );
  assert.deepEqual(lanes.sort(), ["ext:dashboard", "greeter"]);
  await page.getByText("fipa-request", { exact: true }).waitFor();
  await page.locator("ol.acl summary").first().click();
  await page.getByText("(request", { exact: false }).waitFor();
  assert.deepEqual(page.errors, []);
});

Deno.test("a failing agent shows as failed with its reason, in the table and on its page", async () => {
  await using n = await startApiNode();
  const res = await fetch(`${n.api}/agents/flaky?limits.maxTraps=1`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("trap_once"),
  });
  assert.equal(res.status, 201, await res.text());
  using me = new TestParticipant(n.node);
  const failure = me.next((m) => m.inReplyTo === "r-boom");
  me.send({
    performative: "request",
    receiver: ["flaky"],
    content: "boom",
    conversationId: "c-boom",
    replyWith: "r-boom",
  });
  assert.equal((await failure).performative, "failure");
  await until(() => n.node.agents.get("flaky").state === "failed", "flaky to fail");
  const reason = n.node.agents.get("flaky").failure!;
  assert.match(reason, /trap/);

  await using b = await launchBrowser();
  const page = await b.page();
  await page.goto(`${n.url}/ui#/agents`);
  const row = page.locator("tr[data-agent=flaky]");
  await row.getByText("failed", { exact: true }).waitFor();
  await row.getByText(reason).waitFor();
  await row.getByRole("link", { name: "flaky" }).click();
  await page.locator(".facts .state").getByText("failed", { exact: true }).waitFor();
  await page.locator(".facts").getByText(reason).waitFor();
  await page.locator(".timeline").getByText("trap").first().waitFor();

  // In its conversation, the hop that failed is marked as such.
  await page.goto(`${n.url}/ui#/conversations/c-boom`);
  await page.locator("svg.sequence g.hop").nth(1).waitFor();
  const marks = await page.locator("svg.sequence g.hop").evaluateAll((gs) =>
    gs.map((g) => g.getAttribute("class")!.split(" ").filter((c: string) => c === "failed").length)
  );
  assert.deepEqual(marks, [1, 1], "the trapped request and the failure reply");
  const request = page.locator("svg.sequence g.hop").first();
  assert.match(
    (await request.getAttribute("aria-label"))!,
    /request from .* to flaky: failed \(.+\)/,
  );
  await page.locator("svg.sequence g.hop.failed").getByText("failure ✕ failed").waitFor();
  assert.deepEqual(page.errors, []);
});

Deno.test("with an API token, the page asks for the key, keeps it for the tab and sends it as a bearer, the tail included", async () => {
  await using n = await startApiNode({ apiToken: "s3cret-token" });
  const res = await fetch(`${n.api}/agents/echo`, {
    method: "PUT",
    headers: { "content-type": "application/wasm", authorization: "Bearer s3cret-token" },
    body: agentBytes("echo_wat"),
  });
  assert.equal(res.status, 201, await res.text());
  await using b = await launchBrowser();
  const page = await b.page();
  const refused: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 401) refused.push(r.url());
  });
  await page.goto(`${n.url}/ui#/agents`);
  await page.getByRole("alert").getByText(/bearer/i).waitFor();
  assert.ok(refused.length > 0, "without the key the API says 401");
  await page.getByLabel("API key").fill("s3cret-token");
  await page.getByRole("button", { name: "Use", exact: true }).click();
  await page.locator("tr[data-agent=echo]").getByText("running").waitFor();
  // The 401s before the key were the point; from here on, none.
  page.errors.length = 0;
  refused.length = 0;
  await page.reload();
  await page.locator("tr[data-agent=echo]").getByText("running").waitFor();
  await page.getByRole("link", { name: "Messages" }).click();
  await page.locator("[data-tail=open]").waitFor();
  assert.deepEqual(refused, []);
  assert.deepEqual(page.errors, []);
});
