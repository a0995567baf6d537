/**
 * The conversation debugger's timing waterfall (issue 19: "a timing
 * waterfall of its deliveries and handling") in a real browser against a
 * real node: one row per logged delivery, nested as the timing tree nests
 * them, with its offset, how long it took and a bar placed on the timeline.
 */
import assert from "node:assert/strict";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { launchBrowser } from "../_support/browser.ts";
import { agentBytes, TestParticipant, until } from "../_support/node.ts";

interface _Node {
  id: number;
  receiver: string;
  status: string;
  offsetMs: number;
  tookMs: number;
  message: { performative: string };
  children: _Node[];
}

Deno.test("the waterfall has a row per delivery of the conversation, nested, timed and marked as the API's tree says", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const flaky = await fetch(`${n.api}/agents/flaky?limits.maxTraps=1`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("trap_once"),
  });
  assert.equal(flaky.status, 201, await flaky.text());
  using me = new TestParticipant(n.node, "ext:alice");
  /** A request in conversation c-w, awaited to its reply (trap_once traps on "boom"). */
  const ask = async (receiver: string, replyWith: string, content = replyWith) => {
    const reply = me.next((m) => m.inReplyTo === replyWith);
    me.send({
      performative: "request",
      receiver: [receiver],
      content,
      conversationId: "c-w",
      replyWith,
    });
    return await reply;
  };
  assert.equal((await ask("echo", "r-1")).performative, "inform");
  assert.equal((await ask("flaky", "r-2", "boom")).performative, "failure");
  const logged = async () =>
    (await (await fetch(`${n.api}/conversations/c-w`)).json()).messages as {
      id: number;
      status: string;
    }[];
  // Four deliveries, each settled (none still "accepted") before the page draws them.
  await until(
    async () => {
      const rows = await logged();
      return rows.length === 4 && rows.every((r) => r.status !== "accepted");
    },
    "the conversation's 4 deliveries logged and settled",
  );
  const trace = await (await fetch(`${n.api}/conversations/c-w/trace`)).json() as {
    durationMs: number;
    roots: _Node[];
  };
  const expected: { node: _Node; depth: number }[] = [];
  const walk = (node: _Node, depth: number) => {
    expected.push({ node, depth });
    node.children.forEach((c) => walk(c, depth + 1));
  };
  trace.roots.forEach((r) => walk(r, 0));

  await using b = await launchBrowser();
  const page = await b.page();
  await page.goto(`${n.url}/ui#/conversations/c-w`);
  const rows = page.locator("table.waterfall tbody tr");
  await rows.nth(3).waitFor();
  const shown = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      id: Number(tr.getAttribute("data-delivery")),
      depth: Number(tr.getAttribute("data-depth")),
      cells: [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent!.trim()),
      bar: tr.querySelector(".bar")!.getAttribute("class"),
      style: tr.querySelector(".bar")!.getAttribute("style"),
    }))
  );

  // Every logged delivery has exactly one row.
  assert.deepEqual(
    shown.map((r) => r.id).sort((a, b) => a - b),
    (await logged()).map((r) => r.id),
  );
  // In the tree's order and nesting: each reply under the request it answers.
  assert.deepEqual(
    shown.map((r) => [r.id, r.depth]),
    expected.map((e) => [e.node.id, e.depth]),
  );
  assert.deepEqual(expected.map((e) => e.depth), [0, 1, 2, 3]);
  const total = Math.max(trace.durationMs, 1);
  for (const [i, row] of shown.entries()) {
    const { node } = expected[i]!;
    assert.deepEqual(row.cells, [
      `${node.message.performative} → ${node.receiver}`,
      `${node.offsetMs} ms`,
      `${node.tookMs} ms`,
    ]);
    assert.equal(row.bar, `bar ${node.status}`);
    const [left, width] = row.style!.match(/[\d.]+(?=%)/g)!.map(Number);
    assert.ok(
      Math.abs(left! - (node.offsetMs / total) * 100) < 0.01,
      `row ${i} starts at its offset`,
    );
    assert.ok(
      Math.abs(width! - Math.max((node.tookMs / total) * 100, 0.5)) < 0.01,
      `row ${i} is as long as it took`,
    );
  }
  assert.deepEqual(
    expected.map((e) => [e.node.message.performative, e.node.receiver, e.node.status]),
    [
      ["request", "echo", "handled"],
      ["inform", "ext:alice", expected[1]!.node.status],
      ["request", "flaky", "failed"],
      ["failure", "ext:alice", expected[3]!.node.status],
    ],
  );
  await page.locator("table.waterfall th").getByText(`Timeline (${trace.durationMs} ms)`)
    .waitFor();
  assert.deepEqual(page.errors, []);
});
