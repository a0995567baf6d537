/** C and C++ → WebAssembly with Debian's clang + lld + wasi-libc and the C SDK. */
import { basename, join } from "node:path";
import { withProducers } from "../runtime/wasm_sections.ts";
import { APT_PACKAGES, runTool } from "./tool.ts";

/**
 * Flags that make clang emit an ABI v1 agent: a wasi-libc "reactor" with no
 * entry point and no start files (the SDK runs constructors itself), a small
 * stack, no names. wasi-libc's malloc and string functions import nothing;
 * stdio would import WASI and fail the ABI check.
 */
export const CLANG_FLAGS = [
  "--target=wasm32-wasi",
  "-Os",
  "-mexec-model=reactor",
  "-nostartfiles",
  "-Wl,--no-entry",
  "-Wl,--strip-all",
  "-Wl,-z,stack-size=32768",
] as const;

/** Compiles `source` (C, or C++ by its `.cpp` name) with the C SDK in `sdkDir` (caxton.h, caxton.c). */
export async function compileC(
  source: string,
  options: { sdkDir: string; scratch: string },
): Promise<Uint8Array> {
  const out = join(options.scratch, `${basename(source)}.tmp.wasm`);
  const cpp = source.endsWith(".cpp");
  await runTool(cpp ? "clang++" : "clang", [
    ...CLANG_FLAGS,
    ...(cpp ? ["-nostdlib++", "-fno-exceptions"] : []),
    "-I",
    options.sdkDir,
    "-x",
    "c",
    join(options.sdkDir, "caxton.c"),
    "-x",
    cpp ? "c++" : "c",
    source,
    "-o",
    out,
  ], APT_PACKAGES.c);
  try {
    // `--strip-all` drops clang's producers section; the deploy reads the language from it.
    return withProducers(await Deno.readFile(out), {
      language: [[cpp ? "C++" : "C", ""]],
      "processed-by": [["clang", ""]],
    });
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}
