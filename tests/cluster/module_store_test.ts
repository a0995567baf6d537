/**
 * Module bytes stored once in the cluster: a deploy through node A placed on
 * node B puts the module in the JetStream object store `caxton_modules` under
 * its SHA-256, and B loads it from there (A forwards only the hash); a node
 * that never saw a module runs it from its hash alone. The same bytes
 * deployed again store nothing new.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { Objm } from "@nats-io/obj";
import { agentBytes, until } from "../_support/node.ts";
import { call } from "../_support/http.ts";
import { type ClusterNode, startClusterNode, startNats, waitForPeers } from "../_support/nats.ts";

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sizes of the modules node's SQLite store holds, by hash. */
function storedModules(dataDir: string): Map<string, number> {
  const db = new DatabaseSync(join(dataDir, "caxton.db"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT hash, size_bytes FROM modules").all() as {
      hash: string;
      size_bytes: number;
    }[];
    return new Map(rows.map((r) => [r.hash, r.size_bytes]));
  } finally {
    db.close();
  }
}

function deployRaw(via: ClusterNode, name: string, module: string, node?: string) {
  return call(`${via.api}/agents/${name}${node ? `?node=${node}` : ""}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes(module),
  });
}

Deno.test("a module is stored once in the cluster's object store, by hash, and the node it is placed on loads it from there", async () => {
  await using nats = await startNats();
  const dirs = [0, 1].map(() => Deno.makeTempDirSync({ prefix: "caxton-modules-" }));
  try {
    await using a = await startClusterNode(nats.url, "node-a", { dataDir: dirs[0] });
    await using b = await startClusterNode(nats.url, "node-b", { dataDir: dirs[1] });
    await waitForPeers(a, 2);
    const nc = await connect({ servers: nats.url });
    try {
      const echo = agentBytes("echo_wat");
      const hash = await sha256Hex(echo);

      const placed = await deployRaw(a, "echo", "echo_wat", "node-b");
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      assert.equal(placed.headers.get("x-caxton-node"), "node-b");
      assert.equal(placed.body.moduleHash, hash);
      const store = await new Objm(nc).open("caxton_modules");
      const object = await store.info(hash);
      assert.equal(object?.size, echo.length, "the object exists under the module's hash");
      assert.equal(storedModules(dirs[1]!).get(hash), echo.length, "B's data dir has the module");
      assert.equal(storedModules(dirs[0]!).has(hash), false, "A forwarded it and kept no copy");
      // What A sent B: the hash, no bytes. A node that never saw the module loads it so (here A).
      const byHash = await call(`${a.api}/agents/echo-on-a`, {
        method: "PUT",
        headers: {
          "content-type": "application/wasm",
          "x-caxton-forwarded-by": (await call(`${b.api}/cluster`)).body.self,
          "x-caxton-module": hash,
        },
      });
      assert.equal(byHash.status, 201, JSON.stringify(byHash.body));
      assert.equal(byHash.body.moduleHash, hash);
      assert.equal(storedModules(dirs[0]!).get(hash), echo.length, "A fetched it from the store");
      await until(
        async () =>
          (await call(`${a.api}/agents/echo/request`, { method: "POST", json: { content: "hi" } }))
            .body.content === "hi",
        "echo on B answers through A",
      );

      // The same bytes again, through A for B and on B itself: nothing new is stored.
      const before = await store.status();
      assert.equal((await deployRaw(a, "echo-2", "echo_wat", "node-b")).status, 201);
      assert.equal((await deployRaw(b, "echo-3", "echo_wat")).status, 201);
      const after = await store.status();
      assert.equal(after.size, before.size, "the object store's stream grew");
      assert.equal((await store.info(hash))?.nuid, object!.nuid, "the object was not put again");
      assert.deepEqual((await store.list()).map((o) => o.name), [hash]);

      // A multipart deploy travels the same way: the module part is put, the rest forwarded.
      const counter = agentBytes("counter_wat");
      const form = new FormData();
      form.set("module", new File([counter], "counter.wasm"));
      form.set("start", "false");
      const multipart = await call(`${a.api}/agents/counter?node=node-b`, {
        method: "PUT",
        body: form,
      });
      assert.equal(multipart.status, 201, JSON.stringify(multipart.body));
      assert.notEqual(multipart.body.state, "running", "its text part travelled too");
      const counterHash = await sha256Hex(counter);
      assert.equal((await store.info(counterHash))?.size, counter.length);
      assert.equal(storedModules(dirs[1]!).get(counterHash), counter.length);
      assert.equal(storedModules(dirs[0]!).has(counterHash), false);
    } finally {
      await nc.close();
    }
  } finally {
    for (const dir of dirs) Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a deploy forwarded with a hash the cluster does not hold is refused 404 module_not_found", async () => {
  await using nats = await startNats();
  await using a = await startClusterNode(nats.url, "node-a");
  const res = await call(`${a.api}/agents/ghost`, {
    method: "PUT",
    headers: {
      "content-type": "application/wasm",
      "x-caxton-forwarded-by": "0123456789abcdef",
      "x-caxton-module": "00".repeat(32),
    },
  });
  assert.equal(res.status, 404, JSON.stringify(res.body));
  assert.equal(res.body.type, "https://caxton.dev/problems/module_not_found");
  assert.match(res.body.detail, /caxton_modules/);
});
