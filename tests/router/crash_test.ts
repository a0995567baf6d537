/**
 * kill -9 under load, restart, and prove from the log that no accepted
 * message was lost: every delivery the log had committed before the kill is
 * handled after the restart (at least once), and the counter's state and its
 * handled watermark were committed together (exactly the interrupted
 * deliveries are handled again). The log is written by its writer worker.
 */
import assert from "node:assert/strict";
import { openStore, type Store } from "../../src/store/mod.ts";
import { agentBytes, join, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { killUnderLoad } from "../_support/kill_under_load.ts";

const CHILD = new URL("../fixtures/crash_node.ts", import.meta.url).pathname;
const COUNTER = new URL("../../build/agents/counter_wat.wasm", import.meta.url).pathname;

Deno.test("after kill -9 under load, every accepted message is handled after restart", async () => {
  using dir = tempDataDir();
  agentBytes("counter_wat"); // fails clearly when the agents are not built
  // Let it run under load until a few thousand deliveries are committed, then kill it.
  const output = await killUnderLoad(
    CHILD,
    [dir.path, COUNTER],
    (out) => Number(/.*committed (\d+)/s.exec(out)?.[1] ?? 0) >= 3_000,
  );
  const committed = Number([...output.matchAll(/committed (\d+)/g)].at(-1)?.[1] ?? 0);
  assert.ok(committed >= 3_000, `the child committed only ${committed} log positions`);

  const readCount = (store: Store) => {
    const agent = store.agents.byName("counter")!;
    const stored = store.state.get(agent.id, "count");
    return stored
      ? Number(new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true))
      : 0;
  };
  let countAtKill: number;
  let interruptedForCounter: number;
  let lastAtKill: number;
  {
    // What the kill interrupted: accepted deliveries not yet handled.
    using store = openStore(join(dir.path, "caxton.db"));
    const interrupted = store.messages.unfinished();
    assert.ok(
      interrupted.length > 0,
      "the kill caught deliveries in flight (else nothing is tested)",
    );
    // The counter's state and its handled watermark committed together: every delivery at or
    // below the mark is counted, and none above it is (it comes back instead).
    countAtKill = readCount(store);
    lastAtKill = store.messages.lastId();
    interruptedForCounter = interrupted.filter((r) => r.receiver === "counter").length;
    const marked = store.messages.byAgent("counter", { limit: 1_000_000 })
      .filter((r) => r.receiver === "counter" && r.status === "handled").length;
    assert.ok(countAtKill >= marked, `count ${countAtKill}, ${marked} marked handled`);
  }
  await using node = await startTestNode({ dataDir: dir.path });
  await until(() => node.store.messages.unfinished().length === 0, "every delivery finished");
  await node.router.flushLog();
  assert.deepEqual(node.store.messages.unfinished(), [], "nothing accepted is left unfinished");
  const toCounter = node.store.messages.byAgent("counter", { limit: 1_000_000 })
    .filter((row) => row.receiver === "counter" && row.id <= committed);
  assert.ok(toCounter.length > 0);
  const notHandled = toCounter.filter((row) => row.status !== "handled");
  assert.deepEqual(notHandled.map((r) => [r.id, r.status, r.reason]), []);
  const count = readCount(node.store);
  assert.ok(
    count >= toCounter.length,
    `counter saw ${count} messages, the log accepted ${toCounter.length} for it`,
  );
  // Exactly what was interrupted was handled again: nothing counted twice, nothing lost.
  // Exactly the interrupted deliveries were handled again, each once, beside what the restarted
  // node sent the counter itself (failures about its replies to ext:load, gone with the kill).
  const sentSince = node.store.messages.byAgent("counter", { since: lastAtKill, limit: 1_000_000 })
    .filter((row) => row.receiver === "counter").length;
  assert.equal(count, countAtKill + interruptedForCounter + sentSince);
});
