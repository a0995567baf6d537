/**
 * A node with 100,000 agents (issue 21), run by `deno task test:scale`
 * (CAXTON_SCALE_AGENTS sets another count): bulk-deployed through the API,
 * every one answers a message, a passivated agent keeps its state, `/metrics`
 * stays small, and a restart is ready in seconds and redelivers what was
 * left unfinished to the right agents.
 */
import assert from "node:assert/strict";
import { defaultScaleConfig } from "../../src/config/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { agentBytes, startTestNode, TestParticipant, until } from "../_support/node.ts";
import { countOf, leaveUnfinished } from "../_support/redeliveries.ts";

const AGENTS = Number(Deno.env.get("CAXTON_SCALE_AGENTS") ?? 100_000);
const SCALE = { ...defaultScaleConfig(), passivateAfterMs: 2_000 };
const name = (i: number) => `s-${i}`;

Deno.test(`a node with ${AGENTS} agents: all answer, state survives passivation and restart`, async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-scale-" });
  try {
    {
      await using n = await startApiNode({ dataDir, scale: SCALE });
      const counter = agentBytes("counter_wat");
      for (let start = 1; start <= AGENTS; start += 10_000) {
        const form = new FormData();
        form.set("module", new File([counter], "counter.wasm"));
        const count = Math.min(10_000, AGENTS - start + 1);
        form.set("agents", JSON.stringify({ pattern: "s-{n}", count, start }));
        const res = await fetch(`${n.api}/agents`, { method: "PUT", body: form });
        assert.equal(res.status, 201, await res.text());
      }
      using me = new TestParticipant(n.node);
      for (let from = 1; from <= AGENTS; from += 1_000) {
        const wave = Array.from({ length: Math.min(1_000, AGENTS - from + 1) }, (_, i) => from + i);
        const answers = await Promise.all(wave.map((i) => me.request(name(i), "hi", 120_000)));
        assert.ok(answers.every((m) => m.content === "1"), `every agent of ${from}… answered`);
        me.received.length = 0; // answered: let them go
      }
      const sample = name(Math.ceil(AGENTS / 2));
      await until(() => n.node.agents.get(sample).worker === null, "the sample passivated", 60_000);
      assert.equal((await me.request(sample, "again")).content, "2", "its state came back");
      const metrics = await (await fetch(`${n.url}/metrics`)).text();
      assert.ok(metrics.length < 100_000, `/metrics is ${metrics.length} bytes`);
      assert.match(metrics, new RegExp(`^caxton_agents\\{state="running"\\} ${AGENTS}$`, "m"));
      await n.node.participants.register("keeper");
    }
    const receivers = [name(7), name(AGENTS), name(AGENTS)];
    leaveUnfinished(dataDir, "ext:keeper", receivers);
    const t0 = performance.now();
    await using node = await startTestNode({ dataDir, scale: SCALE });
    const readyMs = performance.now() - t0;
    assert.ok(readyMs < 10_000, `ready after ${Math.round(readyMs)} ms`);
    await until(() => node.store.messages.unfinished().length === 0, "the redeliveries", 60_000);
    assert.deepEqual([countOf(node.store, name(7)), countOf(node.store, name(AGENTS))], [2, 3]);
    assert.equal(countOf(node.store, name(8)), 1, "a neighbour got nothing more");
    assert.equal(node.agents.activity().activations, 2, "only the receivers were activated");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});
