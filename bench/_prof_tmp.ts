import { startNode } from "/work/main/main.ts";
import { defaultConfig } from "/work/main/src/config/mod.ts";
import { SILENT_LOGGER } from "/work/main/src/telemetry/mod.ts";
const dataDir = Deno.makeTempDirSync();
const node = await startNode({
  ...defaultConfig(),
  dataDir,
  port: 0,
  messageLog: (Deno.args[0] ?? "none") as "none",
  mailboxCapacity: 100000,
}, { serve: false, logger: SILENT_LOGGER });
const wasm = Deno.readFileSync("/work/main/build/agents/echo_wat.wasm");
const names: string[] = [];
for (let i = 0; i < 64; i++) {
  names.push(`e${i}`);
  await node.agents.deploy(`e${i}`, wasm);
}
for (let p = 0; p < 32; p++) {
  for (let i = 0; i < 16; i++) {
    node.router.route({
      performative: "inform",
      sender: names[2 * p],
      receiver: [names[2 * p + 1]!],
      content: "ping",
      conversationId: `c${p}-${i}`,
    });
  }
}
await new Promise((r) => setTimeout(r, 500));
const h = () => names.reduce((a, n) => a + node.agents.get(n).counters.handled, 0);
const b = h();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, 3000));
console.log("msg/s", Math.round((h() - b) / ((performance.now() - t0) / 1000)));
await node.pool.close();
await node.close();
Deno.exit(0);
