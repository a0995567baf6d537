/**
 * Every module `deno task build:agents` can build, as targets with their
 * inputs (for freshness) and their compiler (from src/toolchain):
 *
 * - `examples/agents/<lang>/<name>.<ext>` → `<lang>/<name>.wasm` for `wat`,
 *   `assemblyscript`, `c` (`.c`, `.cpp`), `rust` and `js` (QuickJS);
 * - echo, counter and compute also under their flat names `<name>_wat` /
 *   `<name>_as` (copies), which older tests and benchmarks load;
 * - `tests/fixtures/agents/*.ts` → `<name>_as`, `tests/fixtures/hostile/*.wat`
 *   → `<name>`; the generated `big_100kb`, `oversized`, `invalid_bytes`.
 */
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildQuickJs,
  compileAssemblyScript,
  compileC,
  compileJs,
  compileRust,
  compileRustSdk,
  compileWat,
  mtime,
} from "../../src/toolchain/mod.ts";
import { buildBig, buildInvalid, buildOversized } from "./generated.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const _at = (...parts: string[]) => join(ROOT, ...parts);
const EXAMPLES = _at("examples", "agents");
const AS_SDK = _at("sdk", "assemblyscript", "caxton.ts");
/**
 * `examples/agents/assemblyscript/caxton.ts` re-exports the SDK for agents
 * that import it from its old place (the test fixtures); it is not an agent.
 */
const AS_SHIM = join(EXAMPLES, "assemblyscript", "caxton.ts");
const C_SDK = _at("sdk", "c");
const JS_SDK = _at("sdk", "js");
const RUST_SDK = _at("sdk", "rust", "src", "lib.rs");
/** Built once and shared by every output folder: the SDK rlib and QuickJS's objects. */
const RUST_SDK_OUT = _at("build", "sdk", "rust", "libcaxton.rlib");
const QUICKJS = { vendorDir: _at("build", "vendor", "qjsc"), objectDir: _at("build", "sdk", "js") };
/** The examples that older tests and benchmarks load by flat name (`echo_wat`, `compute_as`). */
const LEGACY_NAMES: ReadonlySet<string> = new Set(["echo", "counter", "compute"]);

/** Each compiler's code: a change to it (or to the ABI's lists) makes its outputs stale. */
const _compiler = (
  file: string,
) => [
  _at("src", "toolchain", file),
  _at("src", "runtime", "abi_v1.ts"),
  _at("src", "runtime", "wasm_sections.ts"),
];
const WAT = _compiler("wat.ts");
const ASC = _compiler("assemblyscript.ts");
const CLANG = _compiler("c.ts");
const RUSTC = _compiler("rust.ts");
const QJS = [..._compiler("quickjs.ts"), ...CLANG];

/** What a built module is for; only `example` and `generated` ones must pass the ABI check. */
export type Kind = "example" | "fixture" | "hostile" | "generated";

export interface Target {
  /** The output's name: `<name>.wasm` in the output folder (`wat/echo`, `echo_wat`). */
  name: string;
  kind: Kind;
  /** The main input, relative to the repository root. */
  source: string;
  /** Every input; the output is fresh when newer than all of them. */
  inputs: string[];
  /** Whether the output must be an ABI v1 agent (imports and exports checked). */
  abi: boolean;
  /** The target whose output this one copies (a flat legacy name), built first. */
  copies?: string;
  build: () => Promise<Uint8Array>;
}

let _rustSdk: Promise<void> | undefined;

/** Compiles the SDK crate once per run, unless its rlib is newer than its inputs. */
function _buildRustSdk(): Promise<void> {
  _rustSdk ??= (async () => {
    const built = await mtime(RUST_SDK_OUT);
    const inputs = await Promise.all([RUST_SDK, ...RUSTC].map(async (f) => (await mtime(f)) ?? 0));
    if (built !== undefined && built > Math.max(...inputs)) return;
    await compileRustSdk(RUST_SDK, RUST_SDK_OUT);
  })();
  return _rustSdk;
}

async function _listDir(dir: string, extension: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(extension)) files.push(join(dir, entry.name));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

/** An example built to `<lang>/<name>.wasm`. */
function _example(
  lang: string,
  file: string,
  inputs: string[],
  build: () => Promise<Uint8Array>,
): Target {
  const name = basename(file).replace(/\.[a-z]+$/, "");
  return {
    name: `${lang}/${name}`,
    kind: "example",
    source: relative(ROOT, file),
    inputs,
    abi: true,
    build,
  };
}

/** Every target, examples first, writing into `outDir`; names are unique. */
export async function listTargets(outDir: string): Promise<Target[]> {
  const scratch = (lang: string) => join(outDir, lang);
  const watOf = (file: string) => async () =>
    compileWat(basename(file), await Deno.readTextFile(file));
  const wat = (await _listDir(join(EXAMPLES, "wat"), ".wat")).map((file) =>
    _example("wat", file, [file, ...WAT], watOf(file))
  );
  const as = (await _listDir(join(EXAMPLES, "assemblyscript"), ".ts"))
    .filter((file) => file !== AS_SHIM)
    .map((file) =>
      _example(
        "assemblyscript",
        file,
        [file, AS_SDK, ...ASC],
        () => compileAssemblyScript(file, ROOT),
      )
    );
  const cFiles = [
    ...await _listDir(join(EXAMPLES, "c"), ".c"),
    ...await _listDir(join(EXAMPLES, "c"), ".cpp"),
  ];
  const c = cFiles.map((file) =>
    _example(
      "c",
      file,
      [file, join(C_SDK, "caxton.h"), join(C_SDK, "caxton.c"), ...CLANG],
      () => compileC(file, { sdkDir: C_SDK, scratch: scratch("c") }),
    )
  );
  const rust = (await _listDir(join(EXAMPLES, "rust"), ".rs")).map((file) =>
    _example("rust", file, [file, RUST_SDK, ...RUSTC], async () => {
      await _buildRustSdk();
      return compileRust(file, { sdk: RUST_SDK_OUT, scratch: scratch("rust") });
    })
  );
  const js = (await _listDir(join(EXAMPLES, "js"), ".js")).map((file) =>
    _example(
      "js",
      file,
      [file, join(JS_SDK, "host.c"), join(JS_SDK, "wasi_stubs.c"), ...QJS],
      async () =>
        compileJs(file, {
          quickjs: await buildQuickJs({ ...QUICKJS, inputs: QJS }),
          sdkDir: JS_SDK,
          scratch: scratch("js"),
        }),
    )
  );
  const legacy = (examples: Target[], suffix: string) =>
    examples.filter((t) => LEGACY_NAMES.has(basename(t.name))).map((t): Target => {
      const built = join(outDir, `${t.name}.wasm`);
      return {
        ...t,
        name: `${basename(t.name)}_${suffix}`,
        inputs: [built],
        copies: t.name,
        build: () => Deno.readFile(built),
      };
    });
  const echoWat = join(EXAMPLES, "wat", "echo.wat");
  const generated = _at("scripts", "build_agents", "generated.ts");
  const targets: Target[] = [
    ...wat,
    ...as,
    ...c,
    ...rust,
    ...js,
    ...legacy(wat, "wat"),
    ...legacy(as, "as"),
    ...(await _listDir(_at("tests", "fixtures", "agents"), ".ts")).map((file): Target => ({
      name: `${basename(file, ".ts")}_as`,
      kind: "fixture",
      source: relative(ROOT, file),
      inputs: [file, AS_SDK, AS_SHIM, ...ASC],
      abi: true,
      build: () => compileAssemblyScript(file, ROOT),
    })),
    ...(await _listDir(_at("tests", "fixtures", "hostile"), ".wat")).map((file): Target => ({
      name: basename(file, ".wat"),
      kind: "hostile",
      source: relative(ROOT, file),
      inputs: [file, ...WAT],
      abi: false,
      build: watOf(file),
    })),
    {
      name: "big_100kb",
      kind: "generated",
      source: relative(ROOT, echoWat),
      inputs: [echoWat, generated, ...WAT],
      abi: true,
      build: () => buildBig(echoWat),
    },
    {
      name: "oversized",
      kind: "generated",
      source: relative(ROOT, generated),
      inputs: [generated, ...WAT],
      abi: true,
      build: buildOversized,
    },
    {
      name: "invalid_bytes",
      kind: "generated",
      source: relative(ROOT, generated),
      inputs: [generated],
      abi: false,
      build: buildInvalid,
    },
  ];
  const seen = new Map<string, string>();
  for (const target of targets) {
    const other = seen.get(target.name);
    if (other !== undefined) {
      throw new Error(
        `Cannot build agents: "${target.source}" and "${other}" both build "${target.name}.wasm"; rename one`,
      );
    }
    seen.set(target.name, target.source);
  }
  return targets;
}

/** Languages a bare example name prefers: WAT needs nothing beyond npm and builds in a second. */
const LANGUAGE_PREFERENCE = ["wat", "assemblyscript", "c", "rust", "js"];

/**
 * The targets `names` ask for, in build order: a full name (`wat/echo`,
 * `c/echo`, `echo_wat`, `big_100kb`) picks that target; a bare example name
 * (`echo`) picks it in the first language of {@linkcode LANGUAGE_PREFERENCE}
 * that has it, with its flat name (`wat/echo` and `echo_wat`). A flat name
 * brings the module it copies.
 *
 * @throws {Error} naming what matched nothing, with the names there are.
 */
export function selectTargets(targets: Target[], names: string[]): Target[] {
  if (names.length === 0) return targets;
  const examples = targets.filter((t) => t.kind === "example" && t.copies === undefined);
  const wanted = new Set<string>();
  const want = (target: Target) => {
    wanted.add(target.name);
    if (target.copies !== undefined) wanted.add(target.copies);
  };
  for (const name of names) {
    const exact = targets.find((t) => t.name === name);
    if (exact !== undefined) {
      want(exact);
      continue;
    }
    const lang = LANGUAGE_PREFERENCE.find((l) => examples.some((t) => t.name === `${l}/${name}`));
    if (lang === undefined) {
      throw new Error(
        `Cannot build "${name}": no such agent; name an example (${
          [...new Set(examples.map((t) => basename(t.name)))].sort().join(", ")
        }), one in a language (c/echo) or a module (echo_wat, big_100kb)`,
      );
    }
    wanted.add(`${lang}/${name}`);
    for (const copy of targets.filter((t) => t.copies === `${lang}/${name}`)) want(copy);
  }
  return targets.filter((t) => wanted.has(t.name));
}
