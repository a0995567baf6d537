/** Rust → WebAssembly with Debian's rustc (wasm32-unknown-unknown) and the Rust SDK crate. */
import { basename, dirname, join } from "node:path";
import { withProducers } from "../runtime/wasm_sections.ts";
import { APT_PACKAGES, runTool } from "./tool.ts";

/** rustc flags for an agent (`cdylib`) or the SDK (`rlib`) on Debian's toolchain. */
const RUSTC_FLAGS = [
  "--edition",
  "2021",
  "--target",
  "wasm32-unknown-unknown",
  "-C",
  "opt-level=s",
  "-C",
  "panic=abort",
] as const;

/** Debian's rustc: the rustup one on PATH, if any, has no wasm32 standard library. */
const RUSTC = "/usr/bin/rustc";

/** Compiles the SDK crate `lib` to the rlib `out`. */
export async function compileRustSdk(lib: string, out: string): Promise<void> {
  await Deno.mkdir(dirname(out), { recursive: true });
  await runTool(RUSTC, [
    ...RUSTC_FLAGS,
    "--crate-type",
    "rlib",
    "--crate-name",
    "caxton",
    lib,
    "-o",
    out,
  ], APT_PACKAGES.rust);
}

/** Compiles the agent crate `source` against the SDK rlib `sdk`. */
export async function compileRust(
  source: string,
  options: { sdk: string; scratch: string },
): Promise<Uint8Array> {
  const out = join(options.scratch, `${basename(source)}.tmp.wasm`);
  await runTool(RUSTC, [
    ...RUSTC_FLAGS,
    "--crate-type",
    "cdylib",
    "-C",
    "strip=symbols",
    "-C",
    "link-arg=-zstack-size=65536",
    "--extern",
    `caxton=${options.sdk}`,
    source,
    "-o",
    out,
  ], APT_PACKAGES.rust);
  try {
    // `strip=symbols` drops rustc's producers section; the deploy reads the language from it.
    return withProducers(await Deno.readFile(out), {
      language: [["Rust", ""]],
      "processed-by": [["rustc", ""]],
    });
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}
