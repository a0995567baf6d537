/**
 * Direct delivery with the message log on, under kill -9: two agents on one
 * worker talk directly (no main-thread round trip), the worker reports each
 * delivery so it is logged, and after a kill every delivery the log had
 * committed is handled after the restart, and every conversation goes on
 * (a lost delivery would end its endless game).
 */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { agentBytes, join, startTestNode, tempDataDir, until } from "../_support/node.ts";
import { killUnderLoad } from "../_support/kill_under_load.ts";

const CHILD = new URL("../fixtures/direct_crash_node.ts", import.meta.url).pathname;
const ECHO = new URL("../../build/agents/echo_wat.wasm", import.meta.url).pathname;
const CONVERSATIONS = 8;

Deno.test("after kill -9 mid direct delivery, every logged delivery is handled and no game ends", async () => {
  using dir = tempDataDir();
  agentBytes("echo_wat"); // fails clearly when the agents are not built
  const output = await killUnderLoad(
    CHILD,
    [dir.path, ECHO],
    (out) => Number(/.*committed (\d+)/s.exec(out)?.[1] ?? 0) >= 3_000,
  );
  const peer = /peer (\w+)/.exec(output)?.[1] ?? "";
  const last = [...output.matchAll(/committed (\d+) direct (\d+)/g)].at(-1);
  const committed = Number(last?.[1] ?? 0);
  const direct = Number(last?.[2] ?? 0);
  assert.ok(committed >= 3_000, `the child committed only ${committed} log positions`);
  assert.ok(direct > committed / 2, `${direct} of ${committed} deliveries were direct`);

  let lastAtKill: number;
  {
    using store = openStore(join(dir.path, "caxton.db"));
    lastAtKill = store.messages.lastId();
    assert.ok(store.messages.unfinished().length > 0, "the kill caught deliveries in flight");
    // The direct deliveries are in the log: about half of them went to the peer.
    const toPeer = store.messages.byAgent(peer, { limit: 1_000_000 })
      .filter((r) => r.receiver === peer);
    assert.ok(toPeer.length > committed / 3, `${toPeer.length} deliveries to ${peer} logged`);
  }
  await using node = await startTestNode({ dataDir: dir.path });
  try {
    const before = () => node.store.messages.unfinished().filter((r) => r.id <= lastAtKill);
    await until(() => before().length === 0, "every delivery logged before the kill finished");
    // Every game goes on after the restart: a lost delivery would have ended one.
    await until(
      () =>
        Array.from({ length: CONVERSATIONS }, (_, i) => `game-${i}`).every((c) =>
          node.store.messages.byConversation(c).some((r) => r.id > lastAtKill)
        ),
      "every conversation continues after the restart",
    );
    const logged = node.store.messages.byAgent(peer, { limit: 1_000_000 })
      .filter((r) => r.id <= lastAtKill && r.receiver === peer);
    assert.deepEqual(logged.filter((r) => r.status !== "handled").map((r) => [r.id, r.status]), []);
  } finally {
    await node.pool.close(); // the games never end: stop the workers before the node drains
  }
});
