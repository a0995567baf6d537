/**
 * JavaScript → WebAssembly: QuickJS compiled into the module with clang, its
 * C source from the npm package `qjsc` (fetched once with `npm pack`, checked
 * against a pinned SHA-256), sdk/js's host around it and the script embedded
 * as a C string (see sdk/js).
 */
import { basename, join } from "node:path";
import { CLANG_FLAGS } from "./c.ts";
import { mtime, sha256 } from "./files.ts";
import { APT_PACKAGES, runTool } from "./tool.ts";

/** The npm package that carries QuickJS's C source, pinned by version and tarball hash. */
const QUICKJS_PACKAGE = "qjsc@0.3.0";
const QUICKJS_SHA256 = "4a9ed1852b334d842d5dac42d1782817ae26310b448de39532451fd45c9ba0ee";
/** Where the unpacked tarball keeps the sources, under the vendor folder. */
const QUICKJS_SUBDIR = join("package", "deps", "quickjs_2021_03_27");
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

/** Where QuickJS is fetched to and compiled into. */
export interface QuickJsPaths {
  /** Folder the `qjsc` tarball is packed and unpacked in. */
  vendorDir: string;
  /** Folder of the compiled objects. */
  objectDir: string;
  /** Files whose change makes the objects stale (this build's own code). */
  inputs: string[];
}

/** QuickJS compiled: its objects and its include folder. */
export interface QuickJs {
  objects: string[];
  includeDir: string;
}

/** Compiles QuickJS's objects unless fresh, fetching its source first if needed. */
export async function buildQuickJs(paths: QuickJsPaths): Promise<QuickJs> {
  const includeDir = join(paths.vendorDir, QUICKJS_SUBDIR);
  const objects = QUICKJS_UNITS.map((unit) => join(paths.objectDir, `${unit}.o`));
  const built = await Promise.all(objects.map(async (o) => (await mtime(o)) ?? 0));
  const changed = await Promise.all(paths.inputs.map(async (i) => (await mtime(i)) ?? Infinity));
  if (Math.min(...built) > Math.max(0, ...changed)) return { objects, includeDir };
  if ((await mtime(join(includeDir, "quickjs.c"))) === undefined) await _fetch(paths.vendorDir);
  await Deno.mkdir(paths.objectDir, { recursive: true });
  await Promise.all(QUICKJS_UNITS.map((unit, i) =>
    runTool("clang", [
      ...QUICKJS_FLAGS,
      "-c",
      join(includeDir, `${unit}.c`),
      "-o",
      objects[i]!,
    ], APT_PACKAGES.c)
  ));
  return { objects, includeDir };
}

/** `npm pack`s the pinned package into `vendorDir`, checks its hash and unpacks it. */
async function _fetch(vendorDir: string): Promise<void> {
  await Deno.mkdir(vendorDir, { recursive: true });
  await runTool(
    "npm",
    ["pack", QUICKJS_PACKAGE, "--silent", "--pack-destination", vendorDir],
    "npm",
  );
  const tarball = join(vendorDir, `${QUICKJS_PACKAGE.replace("@", "-")}.tgz`);
  const sha = sha256(await Deno.readFile(tarball));
  if (sha !== QUICKJS_SHA256) {
    throw new Error(
      `Cannot use ${QUICKJS_PACKAGE}: its tarball hashes to ${sha}, not the pinned ${QUICKJS_SHA256}`,
    );
  }
  await runTool("tar", ["xzf", tarball, "-C", vendorDir], "tar");
}

/** Links the JavaScript agent `source`: QuickJS, the host in `sdkDir` and the script. */
export async function compileJs(
  source: string,
  options: { quickjs: QuickJs; sdkDir: string; scratch: string },
): Promise<Uint8Array> {
  const script = join(options.scratch, `${basename(source)}.tmp.c`);
  await Deno.writeTextFile(
    script,
    `#include <stddef.h>\nconst char caxton_js_source[] = ${
      _cString(await Deno.readTextFile(source))
    };\n` +
      `const size_t caxton_js_source_len = sizeof caxton_js_source - 1;\n`,
  );
  const out = join(options.scratch, `${basename(source)}.tmp.wasm`);
  try {
    await runTool("clang", [
      ...CLANG_FLAGS,
      "-w",
      "-I",
      options.quickjs.includeDir,
      join(options.sdkDir, "host.c"),
      join(options.sdkDir, "wasi_stubs.c"),
      script,
      ...options.quickjs.objects,
      "-o",
      out,
    ], APT_PACKAGES.c);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(script).catch(() => {});
    await Deno.remove(out).catch(() => {});
  }
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
