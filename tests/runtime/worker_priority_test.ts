/**
 * Agent workers run below the main thread (issue 13 item 5): their threads'
 * nice values are `scheduling.agentWorkerNice` above the main thread's, the
 * main thread's is unchanged, and the permission that allowed it is gone
 * before agent code runs. Read from /proc (Linux; the node only does this on Linux).
 */
import assert from "node:assert/strict";
import { defaultSchedulingConfig } from "../../src/config/mod.ts";
import { AGENT_WORKER_OPTIONS } from "../../src/runtime/worker_pool.ts";
import { priorityWorkerOptions } from "../../src/runtime/worker_priority.ts";
import { startTestNode, tempDataDir, until } from "../_support/node.ts";

/** Nice value of each thread of this process, by thread id, with its name. */
function threads(): { tid: number; name: string; nice: number }[] {
  const dir = `/proc/${Deno.pid}/task`;
  const all = [];
  for (const entry of Deno.readDirSync(dir)) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`${dir}/${entry.name}/stat`);
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    // Fields after "(name) ": state is the first, nice the 17th.
    const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    all.push({ tid: Number(entry.name), name, nice });
  }
  return all;
}

const mainNice = () => threads().find((t) => t.tid === Deno.pid)!.nice;

/** Runs `check` on a node whose agent workers are `nice` levels below its main thread. */
async function withNode(nice: number, check: (base: number) => Promise<void>): Promise<void> {
  using dir = tempDataDir();
  const base = mainNice();
  const node = await startTestNode({
    dataDir: dir.path,
    workers: 2,
    scheduling: { ...defaultSchedulingConfig(), agentWorkerNice: nice },
  });
  try {
    // An agent on each worker loads and handles a message: each worker has taken its first
    // (priority) message, and still works after giving up the permission.
    const echo = Deno.readFileSync("build/agents/echo_wat.wasm");
    for (const name of ["echo-a", "echo-b"]) {
      await node.agents.deploy(name, echo);
      node.router.route({ performative: "inform", sender: "ext:t", receiver: [name] });
      await until(() => node.agents.get(name).counters.handled >= 1, `${name} to handle`);
    }
    assert.notEqual(node.agents.get("echo-a").worker, node.agents.get("echo-b").worker);
    await check(base);
    assert.equal(mainNice(), base, "the main thread keeps its priority");
  } finally {
    await node.close();
  }
}

Deno.test({
  name: "agent worker threads run agentWorkerNice levels below the main thread",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withNode(7, async (base) => {
      // Worker threads only: threads a lowered worker starts later inherit its nice value.
      const lowered = () =>
        threads().filter((t) => t.name.startsWith("worker-") && t.nice === Math.min(19, base + 7));
      await until(() => lowered().length === 2, "both pool workers to lower themselves")
        .catch((error) => {
          throw new Error(`${error.message}; threads: ${JSON.stringify(threads())}`);
        });
    }),
});

Deno.test({
  name: "agentWorkerNice 0 leaves agent workers at the main thread's priority",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withNode(0, (base) => {
      assert.deepEqual(threads().filter((t) => t.nice !== base), []);
      return Promise.resolve();
    }),
});

Deno.test({
  name: "a worker gives up the permission to set priorities once it has lowered itself",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const worker = new Worker(
      new URL("./_priority_probe.ts", import.meta.url),
      priorityWorkerOptions(AGENT_WORKER_OPTIONS, 3),
    );
    try {
      const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => {
          e.preventDefault();
          reject(new Error(e.message));
        };
        worker.postMessage(3);
      });
      assert.deepEqual(result, { failure: null, again: "NotCapable", read: "NotCapable" });
    } finally {
      worker.terminate();
    }
  },
});

Deno.test({
  name: "a node that may not read and set priorities starts its workers as before, unlowered",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const module = new URL("../../src/runtime/worker_priority.ts", import.meta.url).href;
    const script = Deno.makeTempFileSync({ suffix: ".ts" });
    Deno.writeTextFileSync(
      script,
      `const m = await import(${JSON.stringify(module)});
      console.log(JSON.stringify([m.canLowerPriority(10), m.canLowerPriority(0)]));`,
    );
    // Only setPriority: giving a worker getPriority too would be refused as an escalation.
    const { code: exit, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-sys=setPriority", script],
      stdout: "piped",
      stderr: "inherit",
    }).output().finally(() => Deno.removeSync(script));
    assert.equal(exit, 0);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), [false, false]);
  },
});
