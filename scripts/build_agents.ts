/**
 * Builds WebAssembly agents from source into `build/agents/` and keeps
 * `build/agents/manifest.json` (name, source, kind, size, SHA-256) current.
 *
 * ```sh
 * deno task build:agents                 # everything (what `deno task test` runs)
 * deno task build:agents echo            # just echo: every language, and echo_wat/echo_as
 * deno task build:agents wat/echo        # one module
 * deno task build:agents --out-dir DIR   # somewhere else than build/agents/
 * ```
 *
 * The targets are listed in scripts/build_agents/targets.ts, the compilers live in
 * src/toolchain/. A target is rebuilt only when its output is older than one
 * of its inputs (its sources and its compiler's code); compilers load lazily,
 * so a warm run costs little more than Deno's start-up.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkAbi, mtime, sha256, writeAtomically } from "../src/toolchain/mod.ts";
import { type Kind, listTargets, selectTargets, type Target } from "./build_agents/targets.ts";

const DEFAULT_OUT_DIR = fileURLToPath(new URL("../build/agents/", import.meta.url));

/** One `manifest.json` entry. */
export interface ManifestEntry {
  name: string;
  /** The main input, relative to the repository root. */
  source: string;
  kind: Kind;
  bytes: number;
  sha256: string;
}

async function _isFresh(target: Target, output: string): Promise<boolean> {
  const built = await mtime(output);
  if (built === undefined) return false;
  // A copy is fresh when it holds its source's bytes: both are written within
  // the same clock tick on a fast disk, so comparing their times says nothing.
  const [source] = target.inputs;
  if (target.copies !== undefined && source !== undefined) return await _sameBytes(source, output);
  for (const input of target.inputs) {
    const changed = await mtime(input);
    if (changed === undefined || changed >= built) return false;
  }
  return true;
}

async function _sameBytes(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Builds one target unless fresh; returns its manifest entry and the build's ms (none if fresh). */
async function _build(
  target: Target,
  outDir: string,
): Promise<{ entry: ManifestEntry; builtMs?: number }> {
  const output = join(outDir, `${target.name}.wasm`);
  const started = performance.now();
  let bytes: Uint8Array;
  let builtMs: number | undefined;
  if (await _isFresh(target, output)) {
    bytes = await Deno.readFile(output);
  } else {
    await Deno.mkdir(dirname(output), { recursive: true });
    bytes = await target.build();
    if (target.abi) checkAbi(bytes);
    await writeAtomically(output, bytes);
    builtMs = Math.round(performance.now() - started);
  }
  const { name, source, kind } = target;
  return { entry: { name, source, kind, bytes: bytes.length, sha256: sha256(bytes) }, builtMs };
}

/**
 * Merges `built` into the manifest in `outDir`: a partial build keeps the
 * entries of modules it did not touch, so the manifest always lists every
 * module the folder holds.
 */
async function _writeManifest(outDir: string, built: ManifestEntry[], order: string[]) {
  const file = join(outDir, "manifest.json");
  const previous = await Deno.readTextFile(file).then(
    (text) => JSON.parse(text) as ManifestEntry[],
    () => [] as ManifestEntry[],
  );
  const entries = new Map(previous.map((e) => [e.name, e]));
  for (const entry of built) entries.set(entry.name, entry);
  const rank = (name: string) => (order.indexOf(name) + 1) || Infinity;
  const manifest = [...entries.values()].sort((a, b) => rank(a.name) - rank(b.name));
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const old = await Deno.readTextFile(file).catch(() => undefined);
  if (old !== text) await writeAtomically(file, new TextEncoder().encode(text));
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { "out-dir": { type: "string" } },
    allowPositionals: true,
  });
  const outDir = resolve(values["out-dir"] ?? DEFAULT_OUT_DIR);
  const all = await listTargets(outDir);
  const targets = selectTargets(all, positionals);
  await Deno.mkdir(outDir, { recursive: true });
  const manifest: ManifestEntry[] = [];
  const failures: string[] = [];
  for (const target of targets) {
    try {
      const { entry, builtMs } = await _build(target, outDir);
      manifest.push(entry);
      console.log(
        `${builtMs === undefined ? "fresh" : "built"}  ${target.name.padEnd(26)} ` +
          `${String(entry.bytes).padStart(9)} B  ${target.source}` +
          (builtMs === undefined ? "" : ` in ${builtMs} ms`),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : JSON.stringify(error);
      failures.push(`Cannot build "${target.name}" from ${target.source}:\n${reason}`);
      console.error(`FAILED ${target.name.padEnd(26)} ${target.source}`);
    }
  }
  await _writeManifest(outDir, manifest, all.map((t) => t.name));
  if (failures.length > 0) {
    console.error(`\n${failures.join("\n\n")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`build:agents: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
