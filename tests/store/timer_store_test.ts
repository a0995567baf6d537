/** The timers table: fired one-shot timers leave in one statement per batch (docs/TIMERS.md). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import { DEFAULT_LIMITS } from "../../src/config/mod.ts";

Deno.test("removeMany removes exactly the timers named, of the agents named", () => {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-timers-" });
  try {
    using store = openStore(join(dir, "caxton.db"));
    store.modules.put(new Uint8Array([0, 97, 115, 109]), {
      hash: "h1",
      options: "{}",
      metered: new Uint8Array([0, 97, 115, 109, 1]),
      hasInit: false,
    });
    const agent = (name: string) =>
      store.agents.create({ name, moduleHash: "h1", isolation: "shared", limits: DEFAULT_LIMITS });
    const a = agent("a").id;
    const b = agent("b").id;
    // Ids as the host makes them (ms × 1000 + n): above 2^32, below 2^53.
    const big = 1_764_442_800_000_001;
    const keys: [number, number][] = [[a, 1], [a, 2], [a, big], [b, 1], [b, 2]];
    for (const [agentId, id] of keys) {
      store.timers.add({ agentId, id, dueAt: 1_000, everyMs: null, payload: "", createdAt: 0 });
    }
    assert.equal(store.timers.removeMany([]), 0);
    assert.equal(store.timers.removeMany([[a, 1], [a, big], [b, 2], [b, 99]]), 3);
    assert.deepEqual(store.timers.list(a).map((t) => t.id), [2]);
    assert.deepEqual(store.timers.list(b).map((t) => t.id), [1]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
