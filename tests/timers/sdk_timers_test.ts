/** `set_timer` / `cancel_timer` through the C and Rust SDKs, in real agents built by build:agents. */
import assert from "node:assert/strict";
import type { TimerFired } from "../../src/timers/mod.ts";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";

for (const lang of ["c", "rust"]) {
  Deno.test(`a ${lang} agent sets a timer that fires, and cancels one (it leaves the store)`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy("tk", agentBytes(`${lang}/timekeeper`));
    const agentId = node.agents.get("tk").id;

    const fired = me.next((m) => (m.content as TimerFired | undefined)?.payload === "soon");
    const id = (await me.request("tk", "set 30 soon")).content as number;
    assert.ok(Number.isSafeInteger(id) && id > 0, `an id: ${id}`);
    const content = (await fired).content as TimerFired;
    assert.equal(content.timer, id, "the timer that fired is the one set");

    const later = (await me.request("tk", "set 60000 later")).content as number;
    assert.ok(later > 0);
    await until(() => node.store.timers.count(agentId) === 1, "the timer committed");
    assert.equal((await me.request("tk", `cancel ${later}`)).content, 0);
    await until(() => node.store.timers.count(agentId) === 0, "the cancellation committed");
    assert.equal((await me.request("tk", "cancel 0")).content, -1, "0 is not an id");
    const big = (await me.request("tk", `set 10 ${"x".repeat(5000)}`)).content;
    assert.equal(big, -3, "a payload over 4096 bytes is too large");
  });
}
