/**
 * The Agents table's lifecycle buttons (issue 19: "start, stop, reload,
 * remove") clicked in a real browser against a real node: each click is
 * checked both through the REST API and on the page.
 */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser } from "../_support/browser.ts";
import { until } from "../_support/node.ts";

Deno.test("Stop, Start, Reload and Remove in the Agents table move the agent through its lifecycle", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  await deploy(n.api, "bystander", "echo_wat");
  await using b = await launchBrowser();
  const page = await b.page();
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  /** The agent as the API sees it, or null once it is gone. */
  const viaApi = async (): Promise<{ state: string; version: number } | null> => {
    const res = await fetch(`${n.api}/agents/echo`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return await res.json();
  };
  const row = page.locator("tr[data-agent=echo]");
  // Name, State, Version: the table's first three columns (src/ui/pages/agents.ts).
  const version = async () => (await row.locator("td:nth-child(3)").textContent())?.trim();
  const notice = page.getByRole("status");

  await page.goto(`${n.url}/ui#/agents`);
  await row.getByText("running", { exact: true }).waitFor();
  assert.equal(await version(), "1");

  await row.getByRole("button", { name: "Stop echo" }).click();
  await notice.getByText("stop: echo done").waitFor();
  assert.equal((await viaApi())?.state, "stopped");
  await row.getByText("stopped", { exact: true }).waitFor();
  // A stopped agent offers Start in Stop's place.
  assert.equal(await row.getByRole("button", { name: "Stop echo" }).count(), 0);

  await row.getByRole("button", { name: "Start echo" }).click();
  await notice.getByText("start: echo done").waitFor();
  assert.equal((await viaApi())?.state, "running");
  await row.getByText("running", { exact: true }).waitFor();

  // Reload deploys the agent's own module again: a new version, still running.
  await row.getByRole("button", { name: "Reload echo" }).click();
  await notice.getByText("reload: echo done").waitFor();
  assert.deepEqual(
    await viaApi().then((a) => a && [a.state, a.version]),
    ["running", 2],
  );
  await until(async () => (await version()) === "2", "version 2 in the table");
  await row.getByText("running", { exact: true }).waitFor();

  // Reload of a stopped agent is refused, and the page says why.
  await row.getByRole("button", { name: "Stop echo" }).click();
  await row.getByText("stopped", { exact: true }).waitFor();
  await row.getByRole("button", { name: "Reload echo" }).click();
  await notice.getByText(/reload echo: .*only a running agent reloads/).waitFor();
  assert.match(await notice.getAttribute("class") ?? "", /error/);
  assert.equal((await viaApi())?.version, 2, "nothing reloaded");
  // The API's 409 was the point: seen by the browser, then no longer counted as an error.
  await until(() => page.errors.some((e) => e.startsWith("409 ")), "the browser to see the 409");
  page.errors.length = 0;

  await row.getByRole("button", { name: "Remove echo" }).click();
  await notice.getByText("remove: echo done").waitFor();
  assert.deepEqual(dialogs, ["Remove agent echo?"], "asked before removing");
  assert.equal(await viaApi(), null, "gone from the API");
  await row.waitFor({ state: "detached" });
  await page.locator("tr[data-agent=bystander]").getByText("running").waitFor();
  assert.deepEqual(page.errors, []);
});
