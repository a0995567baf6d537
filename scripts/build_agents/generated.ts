/**
 * Modules generated rather than written: `big_100kb.wasm` (echo plus filler
 * functions, for the deploy benchmark), `oversized.wasm` (a valid agent over
 * the 8 MiB module cap) and `invalid_bytes.wasm` (not WebAssembly at all).
 */
import { compileWat } from "../../src/toolchain/mod.ts";

/** Module size cap of docs/ABI.md; `oversized.wasm` must exceed it. */
const MODULE_SIZE_CAP = 8 * 1024 * 1024;
/** Filler functions that bring echo to ~100 KiB (about 45 bytes each). */
const BIG_FILLER_FUNCTIONS = 2230;
const BIG_MIN_BYTES = 90 * 1024;
const BIG_MAX_BYTES = 130 * 1024;

/** `echoFile` (echo.wat) plus filler functions: a working echo agent of ~100 KiB. */
export async function buildBig(echoFile: string): Promise<Uint8Array> {
  const echo = await Deno.readTextFile(echoFile);
  const end = echo.lastIndexOf(")");
  if (end < 0) throw new Error(`${echoFile} has no closing parenthesis`);
  const fillers: string[] = [];
  for (let i = 0; i < BIG_FILLER_FUNCTIONS; i++) {
    // distinct constants so no tool can fold the functions into one
    fillers.push(
      `  (func $filler_${i} (param $x i32) (result i32) (local $i i32) (local $acc i32)
    (local.set $acc (i32.const ${i * 7919 + 1}))
    (loop $mix
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const ${(i % 97) + 3}))
        (i32.xor (local.get $x) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $mix (i32.lt_u (local.get $i) (i32.const ${(i % 13) + 2}))))
    (local.get $acc))\n`,
    );
  }
  const binary = await compileWat("big_100kb.wat", echo.slice(0, end) + fillers.join("") + ")\n");
  if (binary.length < BIG_MIN_BYTES || binary.length > BIG_MAX_BYTES) {
    throw new Error(
      `big_100kb.wasm is ${binary.length} bytes, outside ${BIG_MIN_BYTES}–${BIG_MAX_BYTES}; ` +
        `adjust BIG_FILLER_FUNCTIONS`,
    );
  }
  return binary;
}

/** A valid minimal agent whose data segment takes it past the module size cap. */
export function buildOversized(): Promise<Uint8Array> {
  const dataBytes = MODULE_SIZE_CAP + 64 * 1024;
  const pattern = "caxton-oversized-";
  const data = pattern.repeat(Math.ceil(dataBytes / pattern.length)).slice(0, dataBytes);
  // 160 pages hold the data and stay under the 256-page memory cap, so the
  // module size is the only limit it breaks
  return compileWat(
    "oversized.wat",
    `(module
  (memory (export "memory") 160)
  (func (export "caxton_abi_v1"))
  (func (export "caxton_alloc") (param $len i32) (result i32) (i32.const 1024))
  (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32) (i32.const 0))
  (data (i32.const 65536) "${data}"))
`,
  );
}

/** Bytes that are not WebAssembly (no `\0asm` magic). */
export function buildInvalid(): Promise<Uint8Array> {
  const bytes = new Uint8Array(256);
  bytes.set(new TextEncoder().encode("this is not a WebAssembly module\n"));
  for (let i = 33; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return Promise.resolve(bytes);
}
