// The agents built by scripts/build_agents.ts (run `deno task build:agents`
// first; `deno task test` does): every module is what the deploy and runtime
// tests expect, and the example agents behave as docs/ABI.md says, run against
// a small in-test implementation of the `caxton` host imports.

import assert from "node:assert/strict";
import wabtInit from "wabt";
import type { ManifestEntry } from "../../scripts/build_agents.ts";
import { ABI_V1_IMPORTS } from "../../src/runtime/mod.ts";
import { WABT_FEATURES } from "../../src/toolchain/mod.ts";

const BUILD = new URL("../../build/agents/", import.meta.url);
/** The examples and the generated modules that must be ABI v1 agents. */
const ABI_AGENTS = ["echo_wat", "counter_wat", "echo_as", "counter_as", "compute_as", "big_100kb"];

async function _manifest(): Promise<ManifestEntry[]> {
  const text = await Deno.readTextFile(new URL("manifest.json", BUILD)).catch(() => {
    throw new Error("Cannot read build/agents/manifest.json: run `deno task build:agents` first");
  });
  return JSON.parse(text) as ManifestEntry[];
}

async function _wasm(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return await Deno.readFile(new URL(`${name}.wasm`, BUILD));
}

async function _sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- the modules ----------------------------------------------------------------------

Deno.test("the manifest lists every agent with its size and hash", async () => {
  const manifest = await _manifest();
  const names = manifest.map((entry) => entry.name);
  for (const name of [...ABI_AGENTS, "trap_once", "oversized", "invalid_bytes"]) {
    assert.ok(names.includes(name), `manifest lacks "${name}"`);
  }
  for (const entry of manifest) {
    const bytes = await _wasm(entry.name);
    assert.equal(entry.bytes, bytes.length, `${entry.name}: size`);
    assert.equal(entry.sha256, await _sha256(bytes), `${entry.name}: sha256`);
  }
});

Deno.test("every built module validates, except invalid_bytes", async () => {
  for (const { name } of await _manifest()) {
    assert.equal(WebAssembly.validate(await _wasm(name)), name !== "invalid_bytes", name);
  }
});

Deno.test("every module uses only the WebAssembly features ABI v1 allows", async () => {
  const wabt = await wabtInit();
  for (const { name } of await _manifest()) {
    if (name === "invalid_bytes") continue;
    const module = wabt.readWasm(await _wasm(name), { ...WABT_FEATURES });
    try {
      assert.doesNotThrow(() => module.validate(), name);
    } finally {
      module.destroy();
    }
  }
});

Deno.test("the examples import only caxton host functions and export the ABI", async () => {
  // every example in every language (build/agents/<lang>/<name>.wasm) as well
  const examples = (await _manifest()).filter((e) => e.kind === "example").map((e) => e.name);
  assert.ok(examples.includes("c/manager") && examples.includes("rust/bidder"), "SDK examples");
  for (const name of [...ABI_AGENTS, "oversized", ...examples]) {
    const module = new WebAssembly.Module(await _wasm(name));
    for (const imported of WebAssembly.Module.imports(module)) {
      assert.equal(imported.module, "caxton", `${name} imports from "${imported.module}"`);
      assert.equal(imported.kind, "function", `${name}: ${imported.name}`);
      assert.ok(ABI_V1_IMPORTS.has(imported.name), `${name} imports "${imported.name}"`);
    }
    const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
    assert.equal(exports.get("memory"), "memory", `${name}: memory`);
    for (const fn of ["caxton_abi_v1", "caxton_alloc", "caxton_handle"]) {
      assert.equal(exports.get(fn), "function", `${name}: ${fn}`);
    }
  }
});

Deno.test("the hostile fixtures break the ABI only where they mean to", async () => {
  const forbidden = WebAssembly.Module.imports(
    new WebAssembly.Module(await _wasm("forbidden_import")),
  );
  assert.deepEqual(forbidden.map((i) => `${i.module}.${i.name}`), [
    "wasi_snapshot_preview1.fd_write",
  ]);
  const missing = WebAssembly.Module.exports(
    new WebAssembly.Module(await _wasm("missing_exports")),
  );
  assert.ok(!missing.some((e) => e.name === "caxton_handle"));
  assert.ok(missing.some((e) => e.name === "caxton_alloc"));
  for (
    const name of [
      "infinite_loop",
      "memory_bomb",
      "deep_recursion",
      "start_never_returns",
      "trap_once",
      "slow_init",
      "big_memory",
    ]
  ) {
    const module = new WebAssembly.Module(await _wasm(name));
    assert.ok(WebAssembly.Module.imports(module).every((i) => i.module === "caxton"), name);
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const required of ["memory", "caxton_abi_v1", "caxton_alloc", "caxton_handle"]) {
      assert.ok(exports.includes(required), `${name} lacks "${required}"`);
    }
  }
});

Deno.test("big_100kb is about 100 KB and oversized is over the 8 MiB module cap", async () => {
  const big = (await _wasm("big_100kb")).length;
  assert.ok(big >= 90 * 1024 && big <= 130 * 1024, `big_100kb is ${big} bytes`);
  assert.ok((await _wasm("oversized")).length > 8 * 1024 * 1024);
});

// --- behaviour, against an in-test host ---------------------------------------------

interface AgentExports {
  memory: WebAssembly.Memory;
  caxton_alloc(len: number): number;
  caxton_handle(ptr: number, len: number): number;
  caxton_init?(): number;
}

/** One agent instance plus what it did through the host imports. */
interface TestAgent {
  exports: AgentExports;
  sent: unknown[];
  capabilities: string[];
  /** The code `send` returns; the host accepts (0) unless a test says otherwise. */
  sendResult: number;
  /** Delivers `message` as Caxton does (alloc, copy, handle) and returns the handler's code. */
  deliver(message: unknown): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Instantiates `name` with a host whose state lives in `state` (shared across instances). */
async function _agent(name: string, state = new Map<string, Uint8Array>()): Promise<TestAgent> {
  const module = new WebAssembly.Module(await _wasm(name));
  // the memory may grow (and its buffer detach) during any call: view it afresh each time
  const bytes = (ptr: number, len: number) => new Uint8Array(agent.exports.memory.buffer, ptr, len);
  const text = (ptr: number, len: number) => decoder.decode(bytes(ptr, len));
  const agent: TestAgent = {
    exports: undefined as unknown as AgentExports,
    sent: [],
    capabilities: [],
    sendResult: 0,
    deliver(message) {
      const json = encoder.encode(typeof message === "string" ? message : JSON.stringify(message));
      const ptr = agent.exports.caxton_alloc(json.length);
      assert.notEqual(ptr, 0, "caxton_alloc is out of memory");
      bytes(ptr, json.length).set(json);
      return agent.exports.caxton_handle(ptr, json.length);
    },
  };
  const caxton = {
    send(ptr: number, len: number): number {
      if (agent.sendResult === 0) agent.sent.push(JSON.parse(text(ptr, len)));
      return agent.sendResult;
    },
    log(_level: number, ptr: number, len: number): void {
      text(ptr, len);
    },
    state_get(keyPtr: number, keyLen: number, valPtr: number, valCap: number): number {
      const value = state.get(text(keyPtr, keyLen));
      if (value === undefined) return -1;
      bytes(valPtr, Math.min(value.length, valCap)).set(value.subarray(0, valCap));
      return value.length;
    },
    state_set(keyPtr: number, keyLen: number, valPtr: number, valLen: number): number {
      state.set(text(keyPtr, keyLen), bytes(valPtr, valLen).slice());
      return 0;
    },
    state_delete(keyPtr: number, keyLen: number): number {
      return state.delete(text(keyPtr, keyLen)) ? 0 : -1;
    },
    now_ms: (): bigint => BigInt(Date.now()),
    register_capability(ptr: number, len: number): number {
      agent.capabilities.push(text(ptr, len));
      return 0;
    },
  };
  const instance = new WebAssembly.Instance(module, { caxton });
  agent.exports = instance.exports as unknown as AgentExports;
  assert.equal(agent.exports.caxton_init?.() ?? 0, 0, `${name}: caxton_init`);
  return agent;
}

const REQUEST = {
  performative: "request",
  sender: "ext:cli",
  receiver: ["echo"],
  // escapes, non-ASCII and a character outside the BMP, all of which must survive
  content: 'hello "world" \\ \n tab\t é ✓ 🦀',
  language: "text",
  // a nested "sender" must not be taken for the message's own
  ontology: { sender: "nested", list: ["}", "{", '"sender":"x"'] },
  conversationId: "c-1",
  replyWith: "r-1",
  replyBy: null,
};

for (const name of ["echo_wat", "echo_as", "big_100kb"]) {
  Deno.test(`${name} replies inform to the sender with the content, threading the conversation`, async () => {
    const agent = await _agent(name);
    if (name !== "big_100kb") assert.deepEqual(agent.capabilities, ["echo"]);
    assert.equal(agent.deliver(REQUEST), 0);
    assert.deepEqual(agent.sent, [{
      performative: "inform",
      receiver: "ext:cli",
      content: REQUEST.content,
      inReplyTo: "r-1",
      conversationId: "c-1",
    }]);
  });
}

for (const name of ["echo_wat", "echo_as"]) {
  Deno.test(`${name} answers "pong" to non-string content and omits absent fields`, async () => {
    const agent = await _agent(name);
    assert.equal(agent.deliver(' {"sender" : "a\\"b", "content": {"n": [1, 2]}, "x": true} '), 0);
    assert.equal(agent.deliver({ performative: "request", sender: "b", receiver: "echo" }), 0);
    assert.deepEqual(agent.sent, [
      { performative: "inform", receiver: 'a"b', content: "pong" },
      { performative: "inform", receiver: "b", content: "pong" },
    ]);
  });

  Deno.test(`${name} fails a malformed message or one without a sender and sends nothing`, async () => {
    const agent = await _agent(name);
    for (const bad of ["", "[]", '{"sender":"a"', '{"sender":"a",}', '{"sender":"a}']) {
      assert.notEqual(agent.deliver(bad), 0, bad);
    }
    assert.notEqual(agent.deliver({ content: "x" }), 0);
    assert.deepEqual(agent.sent, []);
  });

  Deno.test(`${name} fails the message when send refuses the reply`, async () => {
    const agent = await _agent(name);
    agent.sendResult = -2;
    assert.notEqual(agent.deliver(REQUEST), 0);
  });

  Deno.test(`${name} reuses its memory across messages`, async () => {
    const agent = await _agent(name);
    const content = "x".repeat(64 * 1024);
    for (let i = 0; i < 200; i++) {
      assert.equal(agent.deliver({ sender: "a", content }), 0);
      agent.sent.length = 0;
    }
    // 200 messages of 64 KiB would need 12.5 MiB if nothing were reused
    const size = agent.exports.memory.buffer.byteLength;
    assert.ok(size <= 2 * 1024 * 1024, `memory grew to ${size} bytes`);
  });
}

for (const name of ["counter_wat", "counter_as"]) {
  Deno.test(`${name} counts 1, 2, 3 and keeps counting in a new instance with the same state`, async () => {
    const state = new Map<string, Uint8Array>();
    const first = await _agent(name, state);
    assert.deepEqual(first.capabilities, ["counter"]);
    for (let i = 0; i < 3; i++) {
      assert.equal(first.deliver({ ...REQUEST, replyWith: `r-${i}` }), 0);
    }
    assert.deepEqual(
      first.sent,
      [1, 2, 3].map((n) => ({
        performative: "inform",
        receiver: "ext:cli",
        content: String(n),
        inReplyTo: `r-${n - 1}`,
        conversationId: "c-1",
      })),
    );
    const second = await _agent(name, state);
    assert.equal(second.deliver({ sender: "b" }), 0);
    assert.deepEqual(second.sent, [{ performative: "inform", receiver: "b", content: "4" }]);
    // the count is a little-endian u64
    assert.deepEqual(state.get("count"), new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0]));
  });

  Deno.test(`${name} does not advance the count when its reply is refused`, async () => {
    const state = new Map<string, Uint8Array>();
    const agent = await _agent(name, state);
    agent.sendResult = -2;
    assert.notEqual(agent.deliver({ sender: "a" }), 0);
    assert.equal(state.has("count"), false);
  });
}

Deno.test("counter_wat and counter_as share the state format", async () => {
  const state = new Map<string, Uint8Array>([[
    "count",
    new Uint8Array([0xfe, 0xff, 0, 0, 0, 0, 0, 0]),
  ]]);
  const wat = await _agent("counter_wat", state);
  assert.equal(wat.deliver({ sender: "a" }), 0);
  const as = await _agent("counter_as", state);
  assert.equal(as.deliver({ sender: "a" }), 0);
  assert.deepEqual([...wat.sent, ...as.sent].map((m) => (m as { content: string }).content), [
    "65535",
    "65536",
  ]);
});

Deno.test("compute_as counts primes directly and in reply to a message", async () => {
  const agent = await _agent("compute_as");
  const compute = (agent.exports as unknown as { compute(n: number): number }).compute;
  assert.equal(compute(1), 0);
  assert.equal(compute(2), 1);
  assert.equal(compute(100), 25);
  assert.equal(compute(200_000), 17_984);
  assert.equal(agent.deliver({ sender: "bench", content: "1000", replyWith: "r" }), 0);
  assert.equal(agent.deliver({ sender: "bench" }), 0);
  assert.deepEqual(agent.sent, [
    { performative: "inform", receiver: "bench", content: "168", inReplyTo: "r" },
    { performative: "inform", receiver: "bench", content: "17984" },
  ]);
});

Deno.test("trap_once traps on boom and echoes the messages around it", async () => {
  const agent = await _agent("trap_once");
  assert.equal(agent.deliver({ sender: "a", content: "first" }), 0);
  assert.throws(() => agent.deliver({ sender: "a", content: "boom" }), WebAssembly.RuntimeError);
  assert.equal(agent.deliver({ sender: "a", content: "after" }), 0);
  assert.deepEqual(agent.sent.map((m) => (m as { content: string }).content), ["first", "after"]);
});
