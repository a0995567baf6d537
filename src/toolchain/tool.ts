/** Runs the native compilers (clang, rustc, npm, tar) and says how to install a missing one. */

/** The apt packages the C and Rust builds need (installed by `.ci/run`). */
export const APT_PACKAGES = {
  c: "clang lld wasi-libc libclang-rt-14-dev-wasm32",
  rust: "rustc libstd-rust-dev-wasm32",
} as const;

/** Runs a compiler; throws with its output, or with the apt hint when it is missing. */
export async function runTool(tool: string, args: string[], hint: string): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(tool, {
      args,
      env: { PATH: _pathWithoutNodeBins() },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`"${tool}" is not installed: apt-get install -y ${hint}`);
    }
    throw error;
  }
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  if (!output.success) throw new Error(text.trim() || `${tool} exited with ${output.code}`);
  if (text.trim()) console.warn(text.trimEnd());
}

/**
 * PATH without npm's `node_modules/.bin` folders: clang runs any `wasm-opt` it
 * finds on PATH after linking, and npm's binaryen puts a slow JavaScript one
 * there (1.3 s per agent instead of 0.2 s, and output that depends on PATH).
 */
function _pathWithoutNodeBins(): string {
  return (Deno.env.get("PATH") ?? "").split(":").filter((dir) => !dir.includes("node_modules"))
    .join(":");
}
