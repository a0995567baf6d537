/**
 * The live tail's filters and pause in a real browser against a real node
 * (issue 19: "a live tail with filters …, pausable").
 */
import assert from "node:assert/strict";
import { TestParticipant, until } from "../_support/node.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser } from "../_support/browser.ts";

Deno.test("the tail shows only the filtered agent's messages, and a paused tail keeps its rows while it counts on", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await deploy(n.api, "other", "echo_wat");
  using me = new TestParticipant(n.node);
  await using b = await launchBrowser();
  const page = await b.page();
  await page.goto(`${n.url}/ui#/messages`);
  await page.locator("[data-tail=open]").waitFor();
  const rows = page.locator("table.tail tbody tr");
  const status = page.locator("[data-tail]");
  const count = async () => Number((await status.textContent())!.match(/(\d+) messages/)![1]);
  // Typed while the tail redraws the page: what is typed stays until applied.
  await page.getByLabel("Agent filter").fill("echo");
  me.send({
    performative: "inform",
    receiver: ["other"],
    content: "redraw",
    conversationId: "c-0",
  });
  await until(async () => (await count()) >= 1, "the tail to redraw");
  assert.equal(await page.getByLabel("Agent filter").inputValue(), "echo");
  await page.getByRole("button", { name: "Apply filters" }).click();
  /** A request in conversation `id`, answered. */
  const ask = async (receiver: string, content: string, id: string) => {
    const reply = me.next((m) => m.conversationId === id && m.performative === "inform");
    me.send({ performative: "request", receiver: [receiver], content, conversationId: id });
    await reply;
  };
  const conversations = async () =>
    (await rows.locator("td:nth-child(5)").allTextContents()).map((t) => t.trim());

  // The filtered tail is live once a message to echo shows in it (its worker subscribes
  // a moment after Apply): one more each time it is looked for.
  let tries = 0;
  await until(async () => {
    me.send({ performative: "inform", receiver: ["echo"], conversationId: `c-ready-${++tries}` });
    return (await conversations()).some((c) => c.startsWith("c-ready"));
  }, "the filtered tail to be live");
  // Sent in order on one stream: when echo's reply is shown, other's would have been too.
  await ask("other", "not for this tail", "c-other");
  await ask("echo", "for this tail", "c-echo");
  await rows.filter({ hasText: "inform" }).filter({ hasText: "c-echo" }).waitFor();
  assert.deepEqual(
    (await conversations()).filter((c) => !c.startsWith("c-ready")),
    ["c-echo", "c-echo"],
    "request and reply, echo's only",
  );

  // Paused: the count goes on, the rows stay as they were.
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByRole("status").filter({ hasText: "Paused." }).waitFor();
  const shown = await conversations();
  const before = await count();
  await ask("echo", "while paused", "c-paused");
  await until(async () => (await count()) >= before + 2, "the paused tail to count 2 more");
  assert.deepEqual(await conversations(), shown);

  await page.getByRole("button", { name: "Resume" }).click();
  await ask("echo", "after resume", "c-resumed");
  await rows.filter({ hasText: "inform" }).filter({ hasText: "c-resumed" }).waitFor();
  assert.ok(!(await conversations()).includes("c-paused"), "what came while paused is not drawn");
  assert.deepEqual(page.errors, []);
});
