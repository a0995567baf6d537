// One list of the WebAssembly features ABI v1 allows (src/runtime/abi_v1.ts):
// what the toolchain builds, the deploy accepts, and what the deploy refuses,
// the toolchain refuses to build.
import assert from "node:assert/strict";
import { prepareModule } from "../../src/runtime/prepare.ts";
import { ModuleRejectedError } from "../../src/runtime/mod.ts";
import { compileWat } from "../../src/toolchain/mod.ts";
import { wat } from "../_support/wat.ts";

const OPTIONS = { memoryCapPages: 16, initialFuel: 100_000n, maxModuleBytes: 1 << 20 };

function agent(handle: string): string {
  return `(module
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) ${handle}))`;
}

Deno.test("non-trapping float-to-int builds with the toolchain and deploys", async () => {
  const bytes = await compileWat(
    "sat.wat",
    agent("(drop (i32.trunc_sat_f32_s (f32.const 1e20))) (i32.const 0)"),
  );
  const prepared = await prepareModule(bytes, OPTIONS);
  assert.ok(prepared.metered.byteLength > 0);
});

Deno.test("SIMD is refused by the toolchain and by the deploy alike", async () => {
  const source = agent("(drop (i32x4.splat (i32.const 1))) (i32.const 0)");
  await assert.rejects(() => compileWat("simd.wat", source));
  await assert.rejects(
    () => prepareModule(wat(source, { features: { simd: true } }), OPTIONS),
    (error) => error instanceof ModuleRejectedError,
  );
});
