import assert from "node:assert/strict";
import { RepeatAggregator } from "../../src/telemetry/mod.ts";
import { capturingLogger, startTestNode, tempDataDir, until } from "../_support/node.ts";

Deno.test("repeated warnings of one kind: the first at once, then one count per interval", async () => {
  const sink = capturingLogger();
  using log = new RepeatAggregator(sink, { intervalMs: 50 });
  for (let i = 0; i < 1_000; i++) log.log("warn", "dead letter", { reason: `r${i}` });
  log.log("info", "passes through", {});
  log.log("info", "passes through", {});
  assert.deepEqual(sink.lines.map((l) => [l.msg, l.reason]), [
    ["dead letter", "r0"],
    ["passes through", undefined],
    ["passes through", undefined],
  ]);
  await until(() => sink.lines.length === 4, "the interval's count");
  assert.deepEqual(sink.lines[3], {
    level: "warn",
    msg: "dead letter",
    reason: "r999",
    repeated: 999,
    intervalMs: 50,
  });
  // A new interval starts with the next line, written at once again.
  log.log("warn", "dead letter", { reason: "again" });
  assert.equal(sink.lines.at(-1)!.reason, "again");
  assert.equal(sink.lines.length, 5);
});

Deno.test("kinds are told apart by level, message and the names a line concerns", () => {
  const sink = capturingLogger();
  const log = new RepeatAggregator(sink, { intervalMs: 60_000 });
  const trap = (agent: string) =>
    log.log("warn", "agent failed a message", { "caxton.agent.name": agent, reason: "trap" });
  trap("a");
  trap("b");
  trap("a");
  log.log("error", "agent failed a message", { "caxton.agent.name": "a" });
  log.log("warn", "tool call", { "caxton.mcp.tool": "read", outcome: "error" });
  log.log("warn", "tool call", { "caxton.mcp.tool": "read", outcome: "refused" });
  log.log("warn", "tool call", { "caxton.mcp.tool": "write", outcome: "refused" });
  assert.equal(sink.lines.length, 6, "every kind's first line");
  log.close(); // writes what is pending and clears the timer
  assert.equal(sink.lines.length, 7);
  assert.deepEqual(sink.lines[6], {
    level: "warn",
    msg: "agent failed a message",
    "caxton.agent.name": "a",
    reason: "trap",
    repeated: 1,
    intervalMs: 60_000,
  });
  log.log("warn", "after close", {});
  log.log("warn", "after close", {});
  assert.equal(sink.lines.length, 9, "closed: straight through");
});

Deno.test("a storm of 3,000 dead letters costs a bounded number of log lines, and every one is counted", async () => {
  using dir = tempDataDir();
  const logger = capturingLogger();
  const started = Date.now();
  const node = await startTestNode({ dataDir: dir.path }, { logger });
  try {
    // From a sender nobody can reach, to a receiver that does not exist: each is a dead letter.
    for (let i = 0; i < 3_000; i++) {
      node.router.route({
        performative: "inform",
        sender: "ext:gone",
        receiver: ["nobody"],
        content: "x".repeat(10_000),
      });
    }
    assert.equal(node.router.deadLetters, 3_000);
    await until(() => node.store.messages.deadLetters({ limit: 1 }).length === 1, "the log");
  } finally {
    await node.close();
  }
  const lines = logger.lines.filter((l) => l.msg === "dead letter");
  // At most two lines (the first, then the count) per 5-second interval the storm spanned.
  const intervals = Math.ceil((Date.now() - started) / 5_000) + 1;
  assert.ok(lines.length <= 2 * intervals, `${lines.length} lines over ${intervals} intervals`);
  // A line with `repeated` is a count of lines not written; any other is one dead letter.
  const counted = lines.reduce((n, l) => n + ((l.repeated as number | undefined) ?? 1), 0);
  assert.equal(counted, 3_000, "the lines account for every dead letter");
  // A line names the message, it does not copy it.
  assert.ok(lines.every((l) => JSON.stringify(l).length < 1_000));
  assert.deepEqual(
    [lines[0]!.performative, lines[0]!.sender, lines[0]!.receivers],
    ["inform", "ext:gone", 1],
  );
});
