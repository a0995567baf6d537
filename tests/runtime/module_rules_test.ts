/**
 * ABI v1 rules at deploy time: a valid agent is accepted, and each broken
 * rule is refused with its code and a reason naming what was found.
 */
import assert from "node:assert/strict";
import { checkModuleBytes, ModuleRejectedError } from "../../src/runtime/module_rules.ts";
import { prepareModule, type PrepareOptions } from "../../src/runtime/prepare.ts";
import { wat } from "../_support/wat.ts";

const OPTIONS: PrepareOptions = {
  memoryCapPages: 256,
  initialFuel: 1_000_000n,
  maxModuleBytes: 1 << 20,
};

const ALL_IMPORTS = `
  (import "caxton" "send" (func $send (param i32 i32) (result i32)))
  (import "caxton" "log" (func $log (param i32 i32 i32)))
  (import "caxton" "state_get" (func $state_get (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "state_set" (func $state_set (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "state_delete" (func $state_delete (param i32 i32) (result i32)))
  (import "caxton" "now_ms" (func $now_ms (result i64)))
  (import "caxton" "register_capability" (func $register_capability (param i32 i32) (result i32)))`;

const EXPORTS = {
  memory: `(memory (export "memory") 1)`,
  abi: `(func (export "caxton_abi_v1"))`,
  alloc: `(func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))`,
  handle: `(func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0))`,
};

/** An ABI v1 module: `imports` first, then the standard exports (minus `omit`, with `replace`), then `extra`. */
function agent(
  options: {
    imports?: string;
    extra?: string;
    omit?: (keyof typeof EXPORTS)[];
    replace?: Partial<typeof EXPORTS>;
  } = {},
): string {
  const parts = Object.entries({ ...EXPORTS, ...options.replace })
    .filter(([key]) => !options.omit?.includes(key as keyof typeof EXPORTS))
    .map(([, text]) => text);
  return `(module ${options.imports ?? ""} ${parts.join("\n")} ${options.extra ?? ""})`;
}

async function assertRejected(
  bytes: Uint8Array,
  code: string,
  reason: RegExp,
  options: Partial<PrepareOptions> = {},
): Promise<void> {
  await assert.rejects(prepareModule(bytes, { ...OPTIONS, ...options }), (error: unknown) => {
    assert.ok(error instanceof ModuleRejectedError, `a ModuleRejectedError, got ${error}`);
    assert.equal(error.code, code);
    assert.match(error.message, /^Cannot deploy module: /);
    assert.match(error.message, reason);
    return true;
  });
}

Deno.test("a minimal ABI v1 agent using every host function is accepted", async () => {
  const bytes = wat(agent({
    imports: ALL_IMPORTS,
    extra: `(func (export "caxton_init") (result i32)
      (drop (call $send (i32.const 0) (i32.const 0)))
      (call $log (i32.const 2) (i32.const 0) (i32.const 0))
      (drop (call $now_ms))
      (call $register_capability (i32.const 0) (i32.const 0)))`,
  }));
  const prepared = await prepareModule(bytes, OPTIONS);
  assert.equal(prepared.hasInit, true);
  assert.equal(prepared.sizeBytes, bytes.byteLength);
  assert.equal(prepared.memoryInitialPages, 1);
  assert.equal(prepared.memoryMaxPages, 256);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  assert.equal(
    prepared.hash,
    Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(""),
  );
  const metered = prepared.metered as Uint8Array<ArrayBuffer>;
  assert.ok(WebAssembly.validate(metered));
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(metered));
  assert.deepEqual(
    exports.map(({ name, kind }) => `${kind} ${name}`).sort(),
    [
      "function caxton_abi_v1",
      "function caxton_alloc",
      "function caxton_handle",
      "function caxton_init",
      "global caxton_fuel",
      "memory memory",
    ],
  );
});

Deno.test("an agent without caxton_init is accepted and says so", async () => {
  const prepared = await prepareModule(wat(agent()), OPTIONS);
  assert.equal(prepared.hasInit, false);
});

Deno.test("an oversized module is refused before it is parsed", async () => {
  // Garbage: if size were not checked first, it would be refused as invalid.
  const garbage = new Uint8Array(101).fill(0xff);
  assert.throws(
    () => checkModuleBytes(garbage, { maxModuleBytes: 100 }),
    (error: unknown) =>
      error instanceof ModuleRejectedError && error.code === "module_too_large" &&
      /101 bytes, over the limit of 100 bytes/.test(error.message),
  );
  await assertRejected(wat(agent()), "module_too_large", /over the limit of 10 bytes/, {
    maxModuleBytes: 10,
  });
});

Deno.test("garbage bytes are refused as invalid WebAssembly", async () => {
  await assertRejected(
    new TextEncoder().encode("not wasm at all"),
    "invalid_module",
    /not valid WebAssembly \(.+\)/,
  );
  await assertRejected(new Uint8Array(0), "invalid_module", /not valid WebAssembly/);
  const truncated = wat(agent()).slice(0, 40);
  await assertRejected(truncated, "invalid_module", /not valid WebAssembly/);
});

Deno.test("an import from another module is refused with its name", async () => {
  await assertRejected(
    wat(
      agent({
        imports:
          `(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))`,
      }),
    ),
    "forbidden_import",
    /imports "wasi_snapshot_preview1\.fd_write", which ABI v1 does not provide; remove the import/,
  );
});

Deno.test("an unknown caxton function is refused", async () => {
  await assertRejected(
    wat(agent({ imports: `(import "caxton" "exec" (func (param i32 i32) (result i32)))` })),
    "forbidden_import",
    /"caxton\.exec", which ABI v1 does not provide/,
  );
});

Deno.test("imported globals and tables are refused", async () => {
  await assertRejected(
    wat(agent({ imports: `(import "env" "stack_pointer" (global (mut i32)))` })),
    "forbidden_import",
    /imports the global "env\.stack_pointer"/,
  );
  await assertRejected(
    wat(agent({ imports: `(import "env" "table" (table 1 funcref))` })),
    "forbidden_import",
    /imports the table "env\.table"/,
  );
});

Deno.test("an imported memory is refused", async () => {
  await assertRejected(
    wat(
      agent({
        imports: `(import "env" "memory" (memory 1))`,
        replace: { memory: `(export "memory" (memory 0))` },
      }),
    ),
    "imported_memory",
    /imports its memory "env\.memory"/,
  );
});

Deno.test("a host function imported with the wrong signature is refused", async () => {
  await assertRejected(
    wat(agent({ imports: `(import "caxton" "send" (func (param i32) (result i32)))` })),
    "bad_signature",
    /imports "caxton\.send" as \(i32\) -> i32, but ABI v1 defines it as \(i32, i32\) -> i32/,
  );
  await assertRejected(
    wat(agent({ imports: `(import "caxton" "now_ms" (func (result i32)))` })),
    "bad_signature",
    /"caxton\.now_ms" as \(\) -> i32, but ABI v1 defines it as \(\) -> i64/,
  );
});

Deno.test("each required export must be there", async () => {
  await assertRejected(
    wat(agent({ omit: ["handle"] })),
    "missing_export",
    /does not export the function "caxton_handle"/,
  );
  await assertRejected(wat(agent({ omit: ["alloc"] })), "missing_export", /"caxton_alloc"/);
  await assertRejected(wat(agent({ omit: ["abi"] })), "missing_export", /"caxton_abi_v1"/);
  await assertRejected(
    wat(agent({ replace: { memory: `(memory 1)` } })),
    "missing_export",
    /does not export a memory named "memory"/,
  );
  await assertRejected(
    wat(agent({ replace: { memory: `(memory (export "mem") 1)` } })),
    "missing_export",
    /"memory"/,
  );
});

Deno.test("an ABI export with the wrong signature is refused", async () => {
  await assertRejected(
    wat(
      agent({
        replace: {
          handle: `(func (export "caxton_handle") (param i32) (result i32) (i32.const 0))`,
        },
      }),
    ),
    "bad_signature",
    /exports "caxton_handle" as \(i32\) -> i32, but ABI v1 requires \(i32, i32\) -> i32/,
  );
  await assertRejected(
    wat(agent({ extra: `(func (export "caxton_init"))` })),
    "bad_signature",
    /"caxton_init" as \(\) -> \(\), but ABI v1 requires \(\) -> i32/,
  );
  await assertRejected(
    wat(agent({ replace: { alloc: `(global (export "caxton_alloc") i32 (i32.const 0))` } })),
    "missing_export",
    /"caxton_alloc" \(it exports a global by that name\)/,
  );
});

Deno.test("a memory starting over the cap is refused", async () => {
  await assertRejected(
    wat(agent({ replace: { memory: `(memory (export "memory") 300)` } })),
    "memory_too_large",
    /starts at 300 pages .* over the cap of 256 pages/,
  );
});

Deno.test("exporting caxton_fuel is refused: metering owns that name", async () => {
  await assertRejected(
    wat(agent({ extra: `(global (export "caxton_fuel") (mut i64) (i64.const 0))` })),
    "reserved_export",
    /exports "caxton_fuel"/,
  );
});

Deno.test("memories outside ABI v1 are refused", async () => {
  await assertRejected(
    wat(agent({ extra: `(memory $second 1)` }), {
      features: { multi_memory: true },
      validate: false,
    }),
    "unsupported_feature",
    /defines 2 memories/,
  );
  await assertRejected(
    wat(
      agent({ replace: { memory: `(memory (export "memory") 1 2 shared)` } }),
      { features: { threads: true }, validate: false },
    ),
    "unsupported_feature",
    /memory is shared/,
  );
  await assertRejected(
    wat(
      agent({ replace: { memory: `(memory (export "memory") i64 1)` } }),
      { features: { memory64: true }, validate: false },
    ),
    "unsupported_feature",
    /memory is 64-bit/,
  );
});

Deno.test("instructions outside ABI v1 are refused with the function that uses them", async () => {
  await assertRejected(
    wat(agent({ extra: `(func $vector (drop (v128.const i32x4 1 2 3 4)))` }), {
      features: { simd: true },
    }),
    "unsupported_instruction",
    /function "vector" uses SIMD/,
  );
  await assertRejected(
    wat(agent({ extra: `(func $tail (result i32) (return_call $tail))` }), {
      features: { tail_call: true },
    }),
    "unsupported_instruction",
    /function "tail" uses tail calls/,
  );
  await assertRejected(
    wat(agent({ extra: `(func $atomic (result i32) (i32.atomic.load (i32.const 0)))` }), {
      features: { threads: true },
    }),
    "unsupported_instruction",
    /function "atomic" uses atomics/,
  );
  await assertRejected(
    wat(
      agent({
        extra:
          `(table $t 1 funcref) (func $grow (drop (table.grow $t (ref.null func) (i32.const 1))))`,
      }),
      { features: { reference_types: true } },
    ),
    "unsupported_instruction",
    /function "grow" uses table instructions/,
  );
});

Deno.test("a data segment with a non-constant offset is refused", async () => {
  await assertRejected(
    wat(agent({ extra: `(data (i32.add (i32.const 8) (i32.const 8)) "x")` }), {
      features: { extended_const: true },
      validate: false,
    }),
    "unsupported_feature",
    /data segment 0 has an offset Caxton cannot read/,
  );
});
