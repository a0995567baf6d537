/**
 * The source language of real modules built from every SDK (build/agents/<language>/),
 * told from their bytes as a deploy tells it (issue 19).
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { detectLanguage } from "../../src/runtime/module_language.ts";
import { readProducers, wasmSections, withProducers } from "../../src/runtime/wasm_sections.ts";

/** Each SDK's folder under build/agents and the language its modules are written in. */
const SDKS = {
  wat: "wat",
  assemblyscript: "assemblyscript",
  c: "c",
  rust: "rust",
  js: "javascript",
} as const;
const EXAMPLES = ["echo", "counter", "bidder", "manager", "pingpong"];

/** `bytes` without its custom sections: what a module built by a stripping toolchain looks like. */
function stripCustom(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts = [bytes.subarray(0, 8)];
  for (const s of wasmSections(bytes)) {
    if (s.id !== 0) parts.push(bytes.subarray(s.offset, s.end));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

Deno.test("every example of every SDK is detected as the language it is written in", () => {
  for (const [sdk, language] of Object.entries(SDKS)) {
    for (const example of EXAMPLES) {
      const name = `${sdk}/${example}`;
      assert.equal(detectLanguage(agentBytes(name)), language, name);
    }
  }
  assert.equal(detectLanguage(agentBytes("c/echo_cpp")), "cpp", "C++ through the C SDK");
});

Deno.test("the C, Rust and WAT builds carry a standard producers section naming their language", () => {
  assert.deepEqual(readProducers(agentBytes("c/echo"))?.language, [["C", ""]]);
  assert.deepEqual(readProducers(agentBytes("c/echo_cpp"))?.language, [["C++", ""]]);
  assert.deepEqual(readProducers(agentBytes("rust/echo"))?.language, [["Rust", ""]]);
  assert.deepEqual(readProducers(agentBytes("wat/echo"))?.["processed-by"], [["wabt", ""]]);
  // The section is a custom one: the module still compiles and exports the ABI.
  const module = new WebAssembly.Module(agentBytes("rust/echo"));
  assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === "caxton_handle"));
});

Deno.test("AssemblyScript and QuickJS agents are told by their own traces, with no producers section", () => {
  for (const example of EXAMPLES) {
    const as = stripCustom(agentBytes(`assemblyscript/${example}`));
    const js = stripCustom(agentBytes(`js/${example}`));
    assert.equal(readProducers(js), undefined);
    new WebAssembly.Module(as); // still a valid module after stripping
    assert.equal(detectLanguage(as), "assemblyscript", example);
    assert.equal(detectLanguage(js), "javascript", example);
  }
});

Deno.test("stripped of its producers section, a C, Rust or WAT module is unknown", () => {
  for (const name of ["c/echo", "rust/echo", "wat/echo"]) {
    const stripped = stripCustom(agentBytes(name));
    new WebAssembly.Module(stripped);
    assert.equal(detectLanguage(stripped), "unknown", name);
  }
  assert.equal(detectLanguage(agentBytes("invalid_bytes")), "unknown");
});

Deno.test("producers sections as compilers write them: clang's DWARF names and its processed-by alone", () => {
  const bare = stripCustom(agentBytes("c/echo"));
  const stamp = (fields: Record<string, [string, string][]>) =>
    detectLanguage(withProducers(bare, fields));
  assert.equal(stamp({ language: [["C_plus_plus_14", ""], ["C99", ""]] }), "cpp");
  assert.equal(stamp({ language: [["C99", ""]], "processed-by": [["clang", "14.0.6"]] }), "c");
  assert.equal(stamp({ language: [["Rust", ""], ["C11", ""]] }), "rust", "Rust links C builtins");
  assert.equal(stamp({ "processed-by": [["rustc", "1.63.0"]] }), "rust");
  assert.equal(stamp({ "processed-by": [["Debian clang", "14.0.6"]] }), "c");
  assert.equal(stamp({ "processed-by": [["walrus", "0.20"]] }), "unknown");
  // A second stamp leaves the first one alone.
  const once = withProducers(bare, { language: [["Rust", ""]] });
  assert.equal(withProducers(once, { language: [["C", ""]] }), once);
});
