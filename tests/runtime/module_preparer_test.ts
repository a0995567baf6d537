/**
 * The host side of preparation: one permission-less worker answers requests,
 * rejections arrive as ModuleRejectedError, and a crashed worker is replaced.
 */
import assert from "node:assert/strict";
import binaryen from "binaryen";
import { ModulePreparer, ModulePreparerError } from "../../src/runtime/module_preparer.ts";
import { ModuleRejectedError } from "../../src/runtime/module_rules.ts";
import type { PrepareOptions } from "../../src/runtime/prepare.ts";
import { wat } from "../_support/wat.ts";

const OPTIONS: PrepareOptions = {
  memoryCapPages: 16,
  initialFuel: 100_000n,
  maxModuleBytes: 1 << 20,
};

function agent(handle = "(i32.const 0)", imports = ""): Uint8Array {
  return wat(`(module ${imports}
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "caxton_handle") (param i32 i32) (result i32) ${handle}))`);
}

Deno.test("a module prepared in the worker instantiates and is metered", async () => {
  await using preparer = new ModulePreparer();
  const prepared = await preparer.prepare(
    agent("(loop $forever (br $forever)) (i32.const 0)"),
    OPTIONS,
  );
  assert.equal(prepared.memoryMaxPages, 16);
  assert.match(prepared.hash, /^[0-9a-f]{64}$/);
  // A refuel import that grants nothing: the initial fuel is the whole budget.
  let askedWith = 0n;
  const refuel = (fuel: bigint) => {
    askedWith = fuel;
    throw new WebAssembly.RuntimeError("out of fuel");
  };
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(prepared.metered as Uint8Array<ArrayBuffer>),
    { caxton_meter: { refuel } },
  );
  assert.throws(() => (instance.exports.caxton_handle as (p: number, l: number) => number)(0, 0));
  assert.ok(askedWith < 0n, "the loop ran out of fuel and asked for more");
});

Deno.test("a rule broken in the worker arrives as ModuleRejectedError with its code and reason", async () => {
  await using preparer = new ModulePreparer();
  await assert.rejects(
    preparer.prepare(agent("(i32.const 0)", `(import "env" "abort" (func))`), OPTIONS),
    (error: unknown) =>
      error instanceof ModuleRejectedError && error.code === "forbidden_import" &&
      /"env\.abort", which ABI v1 does not provide/.test(error.message),
  );
  // The worker survives a rejection.
  const prepared = await preparer.prepare(agent(), OPTIONS);
  assert.ok(prepared.metered.byteLength > 0);
});

Deno.test("concurrent requests each get their own answer", async () => {
  await using preparer = new ModulePreparer();
  const modules = [
    agent("(i32.const 0)"),
    agent("(i32.const 1)"),
    new Uint8Array([1, 2, 3]),
    agent("(i32.const 2)"),
  ];
  const results = await Promise.allSettled(
    modules.map((bytes) => preparer.prepare(bytes, OPTIONS)),
  );
  assert.deepEqual(results.map((result) => result.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  for (const [index, result] of results.entries()) {
    if (result.status === "fulfilled") {
      assert.equal(result.value.sizeBytes, modules[index]!.byteLength);
    }
  }
});

Deno.test("after a crash the next request gets a fresh worker", async () => {
  await using preparer = new ModulePreparer();
  // Misuse that throws inside the worker (not a rule broken): handled as a crash.
  const notBytes = "not a Uint8Array" as unknown as Uint8Array;
  await assert.rejects(preparer.prepare(notBytes, OPTIONS), ModulePreparerError);
  const prepared = await preparer.prepare(agent(), OPTIONS);
  assert.ok(WebAssembly.validate(prepared.metered as Uint8Array<ArrayBuffer>));
});

Deno.test("close drains queued requests, is idempotent, and refuses new ones", async () => {
  const preparer = new ModulePreparer();
  const queued = preparer.prepare(agent(), OPTIONS);
  await preparer.close();
  assert.ok((await queued).metered.byteLength > 0);
  await preparer.close();
  await assert.rejects(preparer.prepare(agent(), OPTIONS), ModulePreparerError);
});

/** An ABI v1 agent whose caxton_handle nests `depth` blocks (WAT tools recurse too deep to write it). */
function deeplyNested(depth: number): Uint8Array {
  const module = new binaryen.Module();
  try {
    module.setMemory(1, 1, "memory");
    module.addFunction("abi", binaryen.none, binaryen.none, [], module.nop());
    module.addFunctionExport("abi", "caxton_abi_v1");
    module.addFunction("alloc", binaryen.i32, binaryen.i32, [], module.i32.const(1024));
    module.addFunctionExport("alloc", "caxton_alloc");
    let body = module.nop();
    for (let level = 0; level < depth; level++) body = module.block(`b${level}`, [body]);
    const params = binaryen.createType([binaryen.i32, binaryen.i32]);
    module.addFunction(
      "handle",
      params,
      binaryen.i32,
      [],
      module.block(null, [body, module.i32.const(0)], binaryen.i32),
    );
    module.addFunctionExport("handle", "caxton_handle");
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

Deno.test("code nested thousands deep is metered; deeper is refused and the worker replaced", async () => {
  await using preparer = new ModulePreparer();
  assert.ok((await preparer.prepare(deeplyNested(3_000), OPTIONS)).metered.byteLength > 0);
  await assert.rejects(
    preparer.prepare(deeplyNested(50_000), { ...OPTIONS, maxModuleBytes: 1 << 22 }),
    (error: unknown) => error instanceof ModuleRejectedError && error.code === "module_too_complex",
  );
  assert.ok((await preparer.prepare(agent(), OPTIONS)).metered.byteLength > 0);
});
