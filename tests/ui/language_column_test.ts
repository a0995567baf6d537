/**
 * The agents table's language column (issue 19) in a real browser against a
 * real node: one agent from each SDK, each shown with the language detected
 * from its module, sortable and filterable.
 */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser } from "../_support/browser.ts";

/** Agents named after their module (wat, C, C++, Rust, AssemblyScript) and their language. */
const AGENTS = {
  "w-echo": ["wat/echo", "wat"],
  "c-echo": ["c/echo", "c"],
  "cpp-echo": ["c/echo_cpp", "cpp"],
  "r-echo": ["rust/echo", "rust"],
  "as-echo": ["assemblyscript/echo", "assemblyscript"],
} as const;

Deno.test("the agents table shows each agent's language, sorts by it and filters on it", async () => {
  await using n = await startApiNode();
  for (const [name, [module]] of Object.entries(AGENTS)) await deploy(n.api, name, module);
  await using b = await launchBrowser();
  const page = await b.page();
  await page.goto(`${n.url}/ui#/agents`);
  await page.locator("tr[data-agent=as-echo]").getByText("running").waitFor();

  const header = await page.locator("table.agents thead th").allTextContents();
  const column = header.findIndex((h) => h.trim() === "Language");
  assert.ok(column > 0, `a Language column among ${header.join(", ")}`);
  const shown = async () =>
    await page.locator("table.agents tbody tr").evaluateAll(
      (rows, i) =>
        rows.map((r) => [r.getAttribute("data-agent"), r.children[i]!.textContent!.trim()]),
      column,
    );
  assert.deepEqual(
    Object.fromEntries(await shown()),
    Object.fromEntries(Object.entries(AGENTS).map(([name, [, language]]) => [name, language])),
  );

  // Sorted by language: ascending, then descending on a second click.
  const sortButton = page.getByRole("button", { name: "Language", exact: true });
  await sortButton.click();
  const ascending = ["assemblyscript", "c", "cpp", "rust", "wat"];
  assert.deepEqual((await shown()).map(([, l]) => l), ascending);
  await sortButton.click();
  assert.deepEqual((await shown()).map(([, l]) => l), [...ascending].reverse());

  // Filtered to one language: only its agent is left.
  await page.getByLabel("Language", { exact: true }).selectOption("rust");
  await page.locator("tr[data-agent=c-echo]").waitFor({ state: "detached" });
  assert.deepEqual(await shown(), [["r-echo", "rust"]]);
  assert.deepEqual(page.errors, []);
});
