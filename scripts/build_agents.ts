/**
 * Builds every WebAssembly agent from source into `build/agents/` and writes
 * `build/agents/manifest.json`.
 *
 * - `examples/agents/<lang>/<name>.<ext>` → `<lang>/<name>.wasm`, for
 *   - `wat` (`.wat`, wabt from npm),
 *   - `assemblyscript` (`.ts`, AssemblyScript from npm, with `sdk/assemblyscript`),
 *   - `c` (`.c` and `.cpp`, Debian clang + lld + wasi-libc, with `sdk/c`),
 *   - `rust` (`.rs`, Debian `/usr/bin/rustc` for wasm32-unknown-unknown, with the
 *     `sdk/rust` crate compiled once to `build/sdk/rust/libcaxton.rlib`);
 *   - `js` (`.js`, run by QuickJS compiled into the module with clang: its C
 *     source comes from the npm package `qjsc`, fetched once with `npm pack`
 *     into `build/vendor/`, checked against a pinned SHA-256; see sdk/js);
 * - echo, counter and compute also keep their flat names
 *   `<name>_wat.wasm` / `<name>_as.wasm`, which older tests use;
 * - `tests/fixtures/agents/*.ts` (AssemblyScript test fixtures) → `<name>_as.wasm`
 * - `tests/fixtures/hostile/*.wat` (wabt) → `<name>.wasm`
 * - generated: `big_100kb.wasm` (echo plus filler functions, ~100 KiB, for the
 *   deploy benchmark), `oversized.wasm` (a valid agent over the 8 MiB module
 *   cap) and `invalid_bytes.wasm` (not WebAssembly at all)
 *
 * A target is rebuilt only when its output is older than one of its inputs
 * (its sources and this script). Compilers load lazily, so a warm run costs
 * little more than Deno's start-up.
 *
 * Run with `deno task build:agents`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type wabtInit from "wabt";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCRIPT = fileURLToPath(import.meta.url);
const OUT_DIR = join(ROOT, "build", "agents");
const WAT_DIR = join(ROOT, "examples", "agents", "wat");
const AS_DIR = join(ROOT, "examples", "agents", "assemblyscript");
const C_DIR = join(ROOT, "examples", "agents", "c");
const RUST_DIR = join(ROOT, "examples", "agents", "rust");
const JS_DIR = join(ROOT, "examples", "agents", "js");
const JS_SDK = join(ROOT, "sdk", "js");
/** The npm package that carries QuickJS's C source, pinned by version and tarball hash. */
const QUICKJS_PACKAGE = "qjsc@0.3.0";
const QUICKJS_SHA256 = "4a9ed1852b334d842d5dac42d1782817ae26310b448de39532451fd45c9ba0ee";
const QUICKJS_SRC = join(ROOT, "build", "vendor", "qjsc", "package", "deps", "quickjs_2021_03_27");
const QUICKJS_OUT = join(ROOT, "build", "sdk", "js");
/** QuickJS's own sources, compiled once to objects. */
const QUICKJS_UNITS = ["quickjs", "libregexp", "libunicode", "cutils"];
/**
 * QuickJS 2021-03-27 on wasm32-wasi: `EMSCRIPTEN` selects the no-threads,
 * no-computed-goto configuration; WASI has only round-to-nearest, so the two
 * other rounding modes QuickJS names get values `fesetround` refuses (number
 * printing then rounds to nearest in every case).
 */
const QUICKJS_FLAGS = [
  "--target=wasm32-wasi",
  "-Os",
  "-D_GNU_SOURCE",
  "-DEMSCRIPTEN",
  "-DFE_DOWNWARD=0x400",
  "-DFE_UPWARD=0x800",
  '-DCONFIG_VERSION="2021-03-27"',
  "-w",
];
const HOSTILE_DIR = join(ROOT, "tests", "fixtures", "hostile");
/** AssemblyScript agents that exist only for tests (they import the examples' caxton.ts). */
const FIXTURE_AS_DIR = join(ROOT, "tests", "fixtures", "agents");
const AS_SDK = join(ROOT, "sdk", "assemblyscript", "caxton.ts");
/**
 * `examples/agents/assemblyscript/caxton.ts` re-exports the SDK for agents
 * that import it from its old place (the test fixtures); it is not an agent.
 */
const AS_LIBRARY = "caxton.ts";
const C_SDK = join(ROOT, "sdk", "c");
const RUST_SDK = join(ROOT, "sdk", "rust", "src", "lib.rs");
const RUST_SDK_OUT = join(ROOT, "build", "sdk", "rust", "libcaxton.rlib");
/** The examples that older tests and benchmarks load by flat name (`echo_wat`, `compute_as`). */
const LEGACY_NAMES: ReadonlySet<string> = new Set(["echo", "counter", "compute"]);

/** Module size cap of docs/ABI.md; `oversized.wasm` must exceed it. */
const MODULE_SIZE_CAP = 8 * 1024 * 1024;
/** Filler functions that bring echo to ~100 KiB (about 45 bytes each). */
const BIG_FILLER_FUNCTIONS = 2230;
const BIG_MIN_BYTES = 90 * 1024;
const BIG_MAX_BYTES = 130 * 1024;

/** What a module may import under ABI v1 (all from module "caxton"). */
export const ABI_IMPORTS: ReadonlySet<string> = new Set([
  "send",
  "log",
  "state_get",
  "state_set",
  "state_delete",
  "now_ms",
  "register_capability",
]);
const ABI_EXPORTS = ["memory", "caxton_abi_v1", "caxton_alloc", "caxton_handle"];

/**
 * The WebAssembly features ABI v1 allows (MVP + these). Compiling with only
 * these makes a source that needs anything more fail here, not at deploy.
 */
export const ABI_FEATURES = {
  mutable_globals: true,
  sign_extension: true,
  bulk_memory: true,
  multi_value: true,
  sat_float_to_int: false,
  simd: false,
  reference_types: false,
  exceptions: false,
  threads: false,
  tail_call: false,
} as const;

/** What a built module is for; only `example` and `generated` ones must pass the ABI check. */
type Kind = "example" | "fixture" | "hostile" | "generated";

/** One `build/agents/manifest.json` entry. */
export interface ManifestEntry {
  name: string;
  /** The main input, relative to the repository root. */
  source: string;
  kind: Kind;
  bytes: number;
  sha256: string;
}

interface Target {
  name: string;
  kind: Kind;
  source: string;
  /** Every input; the output is fresh when newer than all of them. */
  inputs: string[];
  /** Whether the output must be an ABI v1 agent (imports and exports checked). */
  abi: boolean;
  build: () => Promise<Uint8Array>;
}

// --- compilers (loaded on first use) -------------------------------------------

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let _wabt: Promise<Wabt> | undefined;

function _loadWabt(): Promise<Wabt> {
  _wabt ??= import("wabt").then((m) => m.default());
  return _wabt;
}

async function _compileWat(name: string, text: string): Promise<Uint8Array> {
  const wabt = await _loadWabt();
  const module = wabt.parseWat(name, text, ABI_FEATURES);
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

async function _compileAssemblyScript(source: string, baseDir = ROOT): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  let binary: Uint8Array | undefined;
  let diagnostics = "";
  const decoder = new TextDecoder();
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
    // saturating float-to-int is on by default in asc but not part of ABI v1
    "--disable",
    "nontrapping-f2i",
    "--noColors",
  ], {
    stdout: { write: (chunk) => void (diagnostics += _text(chunk, decoder)) },
    stderr: { write: (chunk) => void (diagnostics += _text(chunk, decoder)) },
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

/** The apt packages the C and Rust builds need (installed by `.ci/run`). */
export const APT_PACKAGES = {
  c: "clang lld wasi-libc libclang-rt-14-dev-wasm32",
  rust: "rustc libstd-rust-dev-wasm32",
} as const;

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

/** rustc flags for an agent (`cdylib`) or the SDK (`rlib`) on Debian's toolchain. */
export const RUSTC_FLAGS = [
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
export const RUSTC = "/usr/bin/rustc";

/** Runs a compiler; throws with its output, or with the apt hint when it is missing. */
export async function runTool(
  tool: string,
  args: string[],
  hint: string,
): Promise<void> {
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

/** Compiles `source` (C or C++) with the C SDK in `sdkDir` (caxton.h, caxton.c). */
/**
 * PATH without npm's `node_modules/.bin` folders: clang runs any `wasm-opt` it
 * finds on PATH after linking, and npm's binaryen puts a slow JavaScript one
 * there (1.3 s per agent instead of 0.2 s, and output that depends on PATH).
 */
function _pathWithoutNodeBins(): string {
  return (Deno.env.get("PATH") ?? "").split(":").filter((dir) => !dir.includes("node_modules"))
    .join(":");
}

async function _compileC(
  source: string,
  sdkDir = C_SDK,
  scratch = join(OUT_DIR, "c"),
): Promise<Uint8Array> {
  const out = join(scratch, `${basename(source)}.tmp.wasm`);
  const cpp = source.endsWith(".cpp");
  await runTool(cpp ? "clang++" : "clang", [
    ...CLANG_FLAGS,
    ...(cpp ? ["-nostdlib++", "-fno-exceptions"] : []),
    "-I",
    sdkDir,
    "-x",
    "c",
    join(sdkDir, "caxton.c"),
    "-x",
    cpp ? "c++" : "c",
    source,
    "-o",
    out,
  ], APT_PACKAGES.c);
  const bytes = await Deno.readFile(out);
  await Deno.remove(out);
  return bytes;
}

/** Compiles the Rust SDK crate `lib` to the rlib `out`. */
async function _compileRustSdk(lib: string, out: string): Promise<void> {
  await Deno.mkdir(join(out, ".."), { recursive: true });
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

let _rustSdk: Promise<void> | undefined;

/** Compiles the SDK crate once per run, unless its rlib is newer than its source. */
function _buildRustSdk(): Promise<void> {
  _rustSdk ??= (async () => {
    const built = await _mtime(RUST_SDK_OUT);
    const changed = Math.max((await _mtime(RUST_SDK)) ?? Infinity, (await _mtime(SCRIPT)) ?? 0);
    if (built !== undefined && built > changed) return;
    await _compileRustSdk(RUST_SDK, RUST_SDK_OUT);
  })();
  return _rustSdk;
}

/** Compiles the agent crate `source` against the SDK rlib `sdk`. */
async function _compileRust(
  source: string,
  sdk = RUST_SDK_OUT,
  scratch = join(OUT_DIR, "rust"),
): Promise<Uint8Array> {
  if (sdk === RUST_SDK_OUT) await _buildRustSdk();
  const out = join(scratch, `${basename(source)}.tmp.wasm`);
  await runTool(RUSTC, [
    ...RUSTC_FLAGS,
    "--crate-type",
    "cdylib",
    "-C",
    "strip=symbols",
    "-C",
    "link-arg=-zstack-size=65536",
    "--extern",
    `caxton=${sdk}`,
    source,
    "-o",
    out,
  ], APT_PACKAGES.rust);
  const bytes = await Deno.readFile(out);
  await Deno.remove(out);
  return bytes;
}

let _quickjs: Promise<string[]> | undefined;

/** QuickJS's objects, built once per run unless fresh: fetches the source first if needed. */
function _buildQuickJs(): Promise<string[]> {
  _quickjs ??= (async () => {
    const objects = QUICKJS_UNITS.map((unit) => join(QUICKJS_OUT, `${unit}.o`));
    const fresh = await Promise.all(objects.map(async (o) => (await _mtime(o)) ?? 0));
    if (Math.min(...fresh) > ((await _mtime(SCRIPT)) ?? Infinity)) return objects;
    if ((await _mtime(join(QUICKJS_SRC, "quickjs.c"))) === undefined) await _fetchQuickJs();
    await Deno.mkdir(QUICKJS_OUT, { recursive: true });
    // two at a time: quickjs.c alone takes most of the time
    await Promise.all(QUICKJS_UNITS.map((unit, i) =>
      runTool("clang", [
        ...QUICKJS_FLAGS,
        "-c",
        join(QUICKJS_SRC, `${unit}.c`),
        "-o",
        objects[i]!,
      ], APT_PACKAGES.c)
    ));
    return objects;
  })();
  return _quickjs;
}

/** `npm pack`s the pinned package into build/vendor/, checks its hash and unpacks it. */
async function _fetchQuickJs(): Promise<void> {
  const vendor = join(ROOT, "build", "vendor", "qjsc");
  await Deno.mkdir(vendor, { recursive: true });
  await runTool("npm", ["pack", QUICKJS_PACKAGE, "--silent", "--pack-destination", vendor], "npm");
  const tarball = join(vendor, `${QUICKJS_PACKAGE.replace("@", "-")}.tgz`);
  const sha = _sha256(await Deno.readFile(tarball));
  if (sha !== QUICKJS_SHA256) {
    throw new Error(
      `Cannot use ${QUICKJS_PACKAGE}: its tarball hashes to ${sha}, not the pinned ${QUICKJS_SHA256}`,
    );
  }
  await runTool("tar", ["xzf", tarball, "-C", vendor], "tar");
}

/** `text` as a C string literal (octal escapes, so any byte is safe). */
function _cString(text: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(text)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x0a) out += '\\n"\n"';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Links a JavaScript agent: QuickJS, sdk/js's host and the script as a C string. */
async function _compileJs(source: string, scratch = join(OUT_DIR, "js")): Promise<Uint8Array> {
  const objects = await _buildQuickJs();
  const script = join(scratch, `${basename(source)}.tmp.c`);
  await Deno.writeTextFile(
    script,
    `#include <stddef.h>\nconst char caxton_js_source[] = ${
      _cString(await Deno.readTextFile(source))
    };\n` +
      `const size_t caxton_js_source_len = sizeof caxton_js_source - 1;\n`,
  );
  const out = join(scratch, `${basename(source)}.tmp.wasm`);
  try {
    await runTool("clang", [
      ...CLANG_FLAGS,
      "-w",
      "-I",
      QUICKJS_SRC,
      join(JS_SDK, "host.c"),
      join(JS_SDK, "wasi_stubs.c"),
      script,
      ...objects,
      "-o",
      out,
    ], APT_PACKAGES.c);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(script).catch(() => {});
    await Deno.remove(out).catch(() => {});
  }
}

function _text(chunk: Uint8Array | string, decoder: TextDecoder): string {
  return typeof chunk === "string" ? chunk : decoder.decode(chunk);
}

// --- generated modules ------------------------------------------------------------

/** echo.wat plus filler functions: a working echo agent of ~100 KiB. */
async function _buildBig(): Promise<Uint8Array> {
  const echo = await Deno.readTextFile(join(WAT_DIR, "echo.wat"));
  const end = echo.lastIndexOf(")");
  if (end < 0) throw new Error("examples/agents/wat/echo.wat has no closing parenthesis");
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
  const binary = await _compileWat("big_100kb.wat", echo.slice(0, end) + fillers.join("") + ")\n");
  if (binary.length < BIG_MIN_BYTES || binary.length > BIG_MAX_BYTES) {
    throw new Error(
      `big_100kb.wasm is ${binary.length} bytes, outside ${BIG_MIN_BYTES}–${BIG_MAX_BYTES}; ` +
        `adjust BIG_FILLER_FUNCTIONS`,
    );
  }
  return binary;
}

/** A valid minimal agent whose data segment takes it past the module size cap. */
function _buildOversized(): Promise<Uint8Array> {
  const dataBytes = MODULE_SIZE_CAP + 64 * 1024;
  const pattern = "caxton-oversized-";
  const data = pattern.repeat(Math.ceil(dataBytes / pattern.length)).slice(0, dataBytes);
  // 160 pages hold the data and stay under the 256-page memory cap, so the
  // module size is the only limit it breaks
  return _compileWat(
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
function _buildInvalid(): Promise<Uint8Array> {
  const bytes = new Uint8Array(256);
  bytes.set(new TextEncoder().encode("this is not a WebAssembly module\n"));
  for (let i = 33; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return Promise.resolve(bytes);
}

// --- targets ------------------------------------------------------------------------

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

function _watTarget(file: string, kind: Kind, abi: boolean, suffix = ""): Target {
  return {
    name: `${basename(file, ".wat")}${suffix}`,
    kind,
    source: relative(ROOT, file),
    inputs: [file, SCRIPT],
    abi,
    build: async () => _compileWat(basename(file), await Deno.readTextFile(file)),
  };
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

/** The flat legacy name of an example: a copy of its `<lang>/<name>.wasm`. */
function _legacy(target: Target, name: string): Target {
  const built = join(OUT_DIR, `${target.name}.wasm`);
  return { ...target, name, inputs: [built], build: () => Deno.readFile(built) };
}

async function _targets(): Promise<Target[]> {
  const wat = (await _listDir(WAT_DIR, ".wat")).map((file) =>
    _example(
      "wat",
      file,
      [file, SCRIPT],
      async () => _compileWat(basename(file), await Deno.readTextFile(file)),
    )
  );
  const asShim = join(AS_DIR, AS_LIBRARY);
  const as = (await _listDir(AS_DIR, ".ts")).filter((file) => file !== asShim).map((file) =>
    _example("assemblyscript", file, [file, AS_SDK, SCRIPT], () => _compileAssemblyScript(file))
  );
  const c = [...await _listDir(C_DIR, ".c"), ...await _listDir(C_DIR, ".cpp")].map((file) =>
    _example(
      "c",
      file,
      [file, join(C_SDK, "caxton.h"), join(C_SDK, "caxton.c"), SCRIPT],
      () => _compileC(file),
    )
  );
  const rust = (await _listDir(RUST_DIR, ".rs")).map((file) =>
    _example("rust", file, [file, RUST_SDK, SCRIPT], () => _compileRust(file))
  );
  const js = (await _listDir(JS_DIR, ".js")).map((file) =>
    _example(
      "js",
      file,
      [file, join(JS_SDK, "host.c"), join(JS_SDK, "wasi_stubs.c"), SCRIPT],
      () => _compileJs(file),
    )
  );
  const targets: Target[] = [
    ...wat,
    ...as,
    ...c,
    ...rust,
    ...js,
    ...wat.filter((t) => LEGACY_NAMES.has(basename(t.name)))
      .map((t) => _legacy(t, `${basename(t.name)}_wat`)),
    ...as.filter((t) => LEGACY_NAMES.has(basename(t.name)))
      .map((t) => _legacy(t, `${basename(t.name)}_as`)),
    ...(await _listDir(FIXTURE_AS_DIR, ".ts")).map((file): Target => ({
      name: `${basename(file, ".ts")}_as`,
      kind: "fixture",
      source: relative(ROOT, file),
      inputs: [file, AS_SDK, asShim, SCRIPT],
      abi: true,
      build: () => _compileAssemblyScript(file),
    })),
    ...(await _listDir(HOSTILE_DIR, ".wat")).map((file) => _watTarget(file, "hostile", false)),
    {
      name: "big_100kb",
      kind: "generated",
      source: relative(ROOT, join(WAT_DIR, "echo.wat")),
      inputs: [join(WAT_DIR, "echo.wat"), SCRIPT],
      abi: true,
      build: _buildBig,
    },
    {
      name: "oversized",
      kind: "generated",
      source: relative(ROOT, SCRIPT),
      inputs: [SCRIPT],
      abi: true,
      build: _buildOversized,
    },
    {
      name: "invalid_bytes",
      kind: "generated",
      source: relative(ROOT, SCRIPT),
      inputs: [SCRIPT],
      abi: false,
      build: _buildInvalid,
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

// --- checks, freshness, output ------------------------------------------------------

/** Throws unless `binary` imports only ABI v1 host functions and has the required exports. */
function _checkAbi(binary: Uint8Array): void {
  const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (from !== "caxton" || kind !== "function" || !ABI_IMPORTS.has(name)) {
      throw new Error(`module imports ${kind} "${from}.${name}", which ABI v1 does not provide`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = ABI_EXPORTS.filter((name) => !exported.has(name));
  if (missing.length > 0) {
    throw new Error(`module lacks the ABI v1 export(s) ${missing.map((n) => `"${n}"`).join(", ")}`);
  }
}

async function _mtime(file: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(file)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function _isFresh(target: Target, output: string): Promise<boolean> {
  const built = await _mtime(output);
  if (built === undefined) return false;
  for (const input of target.inputs) {
    const changed = await _mtime(input);
    if (changed === undefined || changed >= built) return false;
  }
  return true;
}

/** Writes through a temporary file so a half-written output never looks fresh. */
async function _writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.tmp`;
  await Deno.writeFile(temporary, bytes);
  await Deno.rename(temporary, file);
}

function _sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Builds the agent project `dir` scaffolded by `caxton agent new` (its
 * `agent.<ext>` and its copy of the SDK under `sdk/`) into `dir/agent.wasm`,
 * and checks it is an ABI v1 agent. Returns the module's size in bytes.
 */
export async function buildAgentProject(lang: string, dir: string): Promise<number> {
  const scratch = join(dir, "build");
  await Deno.mkdir(scratch, { recursive: true });
  let bytes: Uint8Array;
  switch (lang) {
    case "wat":
      bytes = await _compileWat("agent.wat", await Deno.readTextFile(join(dir, "agent.wat")));
      break;
    case "assemblyscript":
      bytes = await _compileAssemblyScript(join(dir, "agent.ts"), dir);
      break;
    case "c":
      bytes = await _compileC(join(dir, "agent.c"), join(dir, "sdk"), scratch);
      break;
    case "rust": {
      const rlib = join(scratch, "libcaxton.rlib");
      await _compileRustSdk(join(dir, "sdk", "caxton.rs"), rlib);
      bytes = await _compileRust(join(dir, "agent.rs"), rlib, scratch);
      break;
    }
    default:
      throw new Error(`Cannot build "${lang}": choose wat, assemblyscript, c or rust`);
  }
  _checkAbi(bytes);
  await _writeAtomically(join(dir, "agent.wasm"), bytes);
  return bytes.length;
}

async function main(): Promise<number> {
  for (const lang of ["wat", "assemblyscript", "c", "rust", "js"]) {
    await Deno.mkdir(join(OUT_DIR, lang), { recursive: true });
  }
  const manifest: ManifestEntry[] = [];
  const failures: string[] = [];
  for (const target of await _targets()) {
    const output = join(OUT_DIR, `${target.name}.wasm`);
    const started = performance.now();
    let bytes: Uint8Array;
    let status: string;
    try {
      if (await _isFresh(target, output)) {
        bytes = await Deno.readFile(output);
        status = "fresh";
      } else {
        bytes = await target.build();
        if (target.abi) _checkAbi(bytes);
        await _writeAtomically(output, bytes);
        status = "built";
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : JSON.stringify(error);
      failures.push(`Cannot build "${target.name}" from ${target.source}:\n${reason}`);
      console.error(`FAILED ${target.name.padEnd(26)} ${target.source}`);
      continue;
    }
    const took = status === "built" ? ` in ${Math.round(performance.now() - started)} ms` : "";
    console.log(
      `${status}  ${target.name.padEnd(26)} ${String(bytes.length).padStart(9)} B  ` +
        `${target.source}${took}`,
    );
    manifest.push({
      name: target.name,
      source: target.source,
      kind: target.kind,
      bytes: bytes.length,
      sha256: _sha256(bytes),
    });
  }
  if (failures.length > 0) {
    console.error(`\n${failures.join("\n\n")}`);
    return 1;
  }
  const manifestFile = join(OUT_DIR, "manifest.json");
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const previous = await Deno.readTextFile(manifestFile).catch(() => undefined);
  if (previous !== text) await _writeAtomically(manifestFile, new TextEncoder().encode(text));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
