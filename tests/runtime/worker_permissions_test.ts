import assert from "node:assert/strict";
import { AGENT_WORKER_OPTIONS } from "../../src/runtime/worker_pool.ts";

// A probe run with the exact options agent workers get: every capability must be refused.
const PROBE = `
const tries = {
  read: () => Deno.readTextFileSync("/etc/hostname"),
  write: () => Deno.writeTextFileSync("/tmp/caxton-probe", "x"),
  env: () => Deno.env.get("HOME"),
  net: () => Deno.listen({ port: 0 }),
  run: () => new Deno.Command("true").outputSync(),
};
const results = {};
for (const [name, attempt] of Object.entries(tries)) {
  try { attempt(); results[name] = "allowed"; } catch (e) { results[name] = e.name; }
}
self.postMessage(results);
`;

Deno.test("agent workers can reach no file, network, environment or subprocess", async () => {
  const url = `data:application/javascript,${encodeURIComponent(PROBE)}`;
  const worker = new Worker(url, AGENT_WORKER_OPTIONS);
  try {
    const results = await new Promise<Record<string, string>>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
    assert.deepEqual(results, {
      read: "NotCapable",
      write: "NotCapable",
      env: "NotCapable",
      net: "NotCapable",
      run: "NotCapable",
    });
  } finally {
    worker.terminate();
  }
});
