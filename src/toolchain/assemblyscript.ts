/** AssemblyScript → WebAssembly with asc (npm), allowing exactly the features of ABI v1. */
import { join, relative } from "node:path";
import { ABI_V1_FEATURES, type AbiFeature } from "../runtime/abi_v1.ts";

/** asc's names of the features it turns on by default, by ABI feature. */
const _ASC_DEFAULTS: Partial<Record<AbiFeature, string>> = {
  "mutable-globals": "mutable-globals",
  "sign-extension": "sign-extension",
  "non-trapping-float-to-int": "nontrapping-f2i",
  "bulk-memory": "bulk-memory",
};

/** `--disable` flags for every asc default outside ABI v1 (none while the lists agree). */
function _ascFeatureFlags(): string[] {
  const allowed = new Set<string>(ABI_V1_FEATURES);
  return Object.entries(_ASC_DEFAULTS).filter(([feature]) => !allowed.has(feature))
    .flatMap(([, asc]) => ["--disable", asc]);
}

/** Compiles `source` (resolving its imports from `baseDir`) to an optimised binary. */
export async function compileAssemblyScript(
  source: string,
  baseDir: string,
): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  let binary: Uint8Array | undefined;
  let diagnostics = "";
  const decoder = new TextDecoder();
  const text = (chunk: Uint8Array | string) =>
    typeof chunk === "string" ? chunk : decoder.decode(chunk);
  const { error } = await asc.main([
    relative(baseDir, source),
    "--baseDir",
    baseDir,
    "--outFile",
    "out.wasm",
    "-O3",
    // the minimal runtime frees memory (TLSF) but collects only when asked;
    // caxton.ts asks at the start of each message
    "--runtime",
    "minimal",
    // no `env.abort` import: a failed assertion or allocation becomes `unreachable`
    "--use",
    "abort=",
    ..._ascFeatureFlags(),
    "--noColors",
  ], {
    stdout: { write: (chunk) => void (diagnostics += text(chunk)) },
    stderr: { write: (chunk) => void (diagnostics += text(chunk)) },
    readFile: async (file, baseDir) => {
      try {
        return await Deno.readTextFile(join(baseDir, file));
      } catch {
        return null;
      }
    },
    writeFile: (file, contents) => {
      if (file.endsWith(".wasm") && contents instanceof Uint8Array) binary = contents;
    },
    listFiles: () => [],
  });
  if (error || binary === undefined) {
    throw new Error((diagnostics.trim() || error?.message) ?? "no output");
  }
  if (diagnostics.trim()) console.warn(diagnostics.trimEnd());
  return binary;
}
