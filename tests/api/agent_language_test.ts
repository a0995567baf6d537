/**
 * An agent's source language over the API (issue 19): detected when a module
 * is deployed, or stated by the deployer; kept with each version, across a restart.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";
import { JS_FUEL } from "../conformance/_agents.ts";

/** A built module from each SDK (build/agents/…) and the language the node must report. */
const MODULES = [
  ["wat/echo", "wat"],
  ["assemblyscript/echo", "assemblyscript"],
  ["c/echo", "c"],
  ["c/echo_cpp", "cpp"],
  ["rust/echo", "rust"],
  ["js/echo", "javascript"],
] as const;

/** QuickJS starts on the per-message budget, over the default (sdk/js/README.md). */
const _fuel = (module: string) =>
  module.startsWith("js/") ? `limits.fuelPerMessage=${JS_FUEL}` : "";

const put = (api: string, name: string, module: string, query = "") =>
  call(`${api}/agents/${name}?${_fuel(module)}&${query}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes(module),
  });

Deno.test("a deployed module's language is detected, shown by get and list, and kept across a restart", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-language-" });
  try {
    {
      await using n = await startApiNode({ dataDir });
      for (const [module] of MODULES) {
        const name = module.replace(/[/_]/g, "-");
        const res = await put(n.api, name, module);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.language, MODULES.find(([m]) => m === module)![1], module);
      }
      const got = await call(`${n.api}/agents/rust-echo`);
      assert.equal(got.body.language, "rust");
      const list = await call(`${n.api}/agents`);
      assert.deepEqual(
        Object.fromEntries(list.body.items.map((a: { name: string; language: string }) => [
          a.name,
          a.language,
        ])),
        Object.fromEntries(MODULES.map(([m, l]) => [m.replace(/[/_]/g, "-"), l])),
      );
    }
    await using again = await startApiNode({ dataDir });
    assert.equal((await call(`${again.api}/agents/js-echo`)).body.language, "javascript");
    assert.equal((await call(`${again.api}/agents/c-echo-cpp`)).body.language, "cpp");
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("a new version takes its own module's language; a hot reload and a stopped redeploy alike", async () => {
  await using n = await startApiNode();
  assert.equal((await put(n.api, "shifty", "wat/echo")).body.language, "wat");
  const reloaded = await put(n.api, "shifty", "rust/echo");
  assert.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
  assert.deepEqual([reloaded.body.version, reloaded.body.language], [2, "rust"]);
  await call(`${n.api}/agents/shifty/stop`, { method: "POST" });
  const redeployed = await put(n.api, "shifty", "assemblyscript/echo");
  assert.deepEqual([redeployed.body.version, redeployed.body.language], [3, "assemblyscript"]);
  assert.equal((await call(`${n.api}/agents/shifty`)).body.language, "assemblyscript");
});

Deno.test("the deployer may state the language, in the query or a multipart part; a malformed one is refused", async () => {
  await using n = await startApiNode();
  const raw = await put(n.api, "zigged", "wat/echo", "language=zig");
  assert.equal(raw.status, 201, JSON.stringify(raw.body));
  assert.equal(raw.body.language, "zig");
  const form = new FormData();
  form.set("module", new File([agentBytes("c/echo")], "echo.wasm"));
  form.set("language", "c");
  const multipart = await call(`${n.api}/agents/stated`, { method: "PUT", body: form });
  assert.equal(multipart.status, 201, JSON.stringify(multipart.body));
  assert.equal(multipart.body.language, "c");
  const bad = await put(n.api, "bad", "wat/echo", `language=${encodeURIComponent("Not A Lang!")}`);
  assertProblem(bad, 400, "invalid_deployment");
  assert.match(bad.body.detail, /language "Not A Lang!" is not/);
  assert.equal((await call(`${n.api}/agents/bad`)).status, 404, "nothing was deployed");
});

Deno.test("a bulk deploy stores the detected language with every agent", async () => {
  await using n = await startApiNode();
  const res = await call(`${n.api}/agents?names=b1,b2&${_fuel("js/")}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("js/echo"),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  for (const name of ["b1", "b2"]) {
    assert.equal((await call(`${n.api}/agents/${name}`)).body.language, "javascript");
  }
});
