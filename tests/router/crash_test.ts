/**
 * kill -9 under load, restart, and prove from the log that no accepted
 * message was lost: every delivery the log had committed before the kill is
 * handled after the restart (at least once).
 */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { agentBytes, join, startTestNode, tempDataDir, until } from "../_support/node.ts";

const CHILD = new URL("../fixtures/crash_node.ts", import.meta.url).pathname;
const COUNTER = new URL("../../build/agents/counter_wat.wasm", import.meta.url).pathname;

Deno.test("after kill -9 under load, every accepted message is handled after restart", async () => {
  using dir = tempDataDir();
  agentBytes("counter_wat"); // fails clearly when the agents are not built
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-all", CHILD, dir.path, COUNTER],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let committed = 0;
  let output = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + 20_000;
  // Let it run under load until a few thousand deliveries are committed, then kill it.
  while (committed < 3_000 && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
    const all = [...output.matchAll(/committed (\d+)/g)];
    committed = Number(all.at(-1)?.[1] ?? 0);
  }
  child.kill("SIGKILL");
  const status = await child.status;
  await reader.cancel();
  assert.equal(status.signal, "SIGKILL", "the node was killed, not stopped");
  assert.ok(committed >= 3_000, `the child committed only ${committed} log positions`);

  {
    // What the kill interrupted: accepted deliveries not yet handled.
    using store = openStore(join(dir.path, "caxton.db"));
    const interrupted = store.messages.unfinished().length;
    assert.ok(interrupted > 0, "the kill caught deliveries in flight (else nothing is tested)");
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
  const agent = node.store.agents.byName("counter")!;
  const stored = node.store.state.get(agent.id, "count")!;
  const count = Number(new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true));
  assert.ok(
    count >= toCounter.length,
    `counter saw ${count} messages, the log accepted ${toCounter.length} for it`,
  );
});
