/**
 * Every page of the dashboard in a real browser: no serious or critical
 * axe-core violation, nothing wider than a phone's screen, and a screenshot
 * of each (build/ui-screenshots/, laptop and phone) as test artifacts.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser, screenshot } from "../_support/browser.ts";
import { agentBytes, TestParticipant, until } from "../_support/node.ts";

const AXE = await Deno.readTextFile(
  fileURLToPath(import.meta.resolve("axe-core").replace(/axe\.js$/, "axe.min.js")),
);

interface _Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over DevTools, so the page's Content-Security-Policy does not apply.
  await page.evaluate(AXE);
  const violations = await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  ) as _Violation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target).join(" ")}`);
}

Deno.test("every page passes axe-core (no serious or critical violation), fits a phone, and is screenshotted", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await deploy(n.api, "counter", "c/counter");
  const failing = await fetch(`${n.api}/agents/flaky?limits.maxTraps=1`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("trap_once"),
  });
  assert.equal(failing.status, 201);
  using me = new TestParticipant(n.node, "ext:alice");
  await me.request("counter", "one");
  await me.request("counter", "two");
  await me.request("flaky", "boom");
  const reply = me.next((m) => m.inReplyTo === "r-1");
  me.send({
    performative: "request",
    receiver: ["echo"],
    content: "hello",
    conversationId: "c-demo",
    protocol: "fipa-request",
    replyWith: "r-1",
  });
  await reply;
  await until(
    async () =>
      (await (await fetch(`${n.api}/conversations/c-demo`)).json()).messages?.length === 2,
    "the conversation logged",
  );

  const pages: [name: string, hash: string, ready: string][] = [
    ["overview", "#/", "figure.chart .uplot"],
    ["agents", "#/agents", "tr[data-agent=flaky]"],
    ["agent", "#/agents/counter", ".facts"],
    ["messages", "#/messages", "[data-tail=open]"],
    ["conversation", "#/conversations/c-demo", "svg.sequence g.hop >> nth=1"],
    ["tools", "#/tools", "#tools-title"],
  ];
  await using b = await launchBrowser();
  const found: string[] = [];
  for (const [width, height, suffix] of [[1280, 860, ""], [390, 844, "-phone"]] as const) {
    const page = await b.page({ width, height });
    for (const [name, hash, ready] of pages) {
      await page.goto(`${n.url}/ui${hash}`);
      await page.locator(ready).first().waitFor();
      if (name === "overview") {
        // Some traffic, until the charts have a rate and a p99 to draw.
        const traffic = setInterval(
          () => me.send({ performative: "request", receiver: ["echo"], content: "tick" }),
          20,
        );
        try {
          await until(
            async () => !(await page.locator(".chart .now").nth(1).textContent())?.includes("–"),
            "a delivery p99 on the chart",
          );
        } finally {
          clearInterval(traffic);
        }
      }
      if (name === "agent") await page.getByText("count is now 2").waitFor();
      if (name === "messages") {
        me.send({ performative: "inform", receiver: ["echo"], content: "seen live" });
        await page.locator("table.tail tbody tr").first().waitFor();
      }
      found.push(...(await seriousViolations(page)).map((v) => `${name}${suffix}: ${v}`));
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      ) as number;
      await screenshot(page, `${name}${suffix}`);
      const widest = await page.evaluate(
        `[...document.querySelectorAll("main *")].filter((e) => !e.closest(".scroll") && e.getBoundingClientRect().right > innerWidth + 1).slice(0, 3).map((e) => e.tagName + "." + e.className).join(", ")`,
      );
      assert.ok(
        overflow <= 1,
        `${name}${suffix} is ${overflow}px wider than the screen: ${widest}`,
      );
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  assert.deepEqual(found, []);
});
