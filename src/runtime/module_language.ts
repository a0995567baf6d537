/**
 * The source language of an agent's module, told from its bytes at deploy (issue
 * 19): the standard `producers` section (clang: "C"/"C99"/"C_plus_plus_14",
 * rustc: "Rust", our toolchain: "wat"), AssemblyScript's own traces (`~lib/`
 * names, runtime exports, its string objects in data), or QuickJS's strings in
 * data for a JavaScript agent (QuickJS is C, so this is looked at first).
 *
 * @module
 */
import { exportNames, readProducers, wasmSections } from "./wasm_sections.ts";

/** The languages detection tells apart; a deployer may state another. */
export const KNOWN_LANGUAGES = [
  "wat",
  "c",
  "cpp",
  "rust",
  "assemblyscript",
  "javascript",
  "unknown",
] as const;

/** A detected language. */
export type DetectedLanguage = typeof KNOWN_LANGUAGES[number];

/** What a stated language may look like: a short lower-case token ("zig", "tinygo", "c"). */
export const LANGUAGE_PATTERN = /^[a-z][a-z0-9+#._-]{0,31}$/;

/** Strings QuickJS keeps in data (atoms, error names, its eval file name). */
const _QUICKJS_MARKS = ["<eval>", "InternalError", "AggregateError", "toPrimitive", "JS_EvalThis"];
/** Exports of AssemblyScript's runtime (`--exportRuntime`) and its RTTI base. */
const _AS_EXPORTS = new Set(["__new", "__pin", "__unpin", "__collect", "__rtti_base"]);
/** AssemblyScript string objects in data: [rtId = 2][byte length][UTF-16]; a few prove it. */
const _AS_MIN_STRINGS = 3;

const _DATA_SECTION = 11;

/** The language `bytes` were written in, or "unknown". */
export function detectLanguage(bytes: Uint8Array): DetectedLanguage {
  const sections = wasmSections(bytes);
  const data = sections.find((s) => s.id === _DATA_SECTION);
  const dataBytes = data ? bytes.subarray(data.start, data.end) : new Uint8Array();
  const dataText = _latin1(dataBytes);
  if (_QUICKJS_MARKS.filter((mark) => dataText.includes(mark)).length >= 3) return "javascript";
  const names = sections.find((s) => s.id === 0 && s.name === "name");
  if (names && _latin1(bytes.subarray(names.start, names.end)).includes("~lib/")) {
    return "assemblyscript";
  }
  if (exportNames(bytes).some((name) => _AS_EXPORTS.has(name))) return "assemblyscript";
  if (_assemblyScriptStrings(dataBytes) >= _AS_MIN_STRINGS) return "assemblyscript";
  return _fromProducers(bytes);
}

/** The language a producers section names; its `processed-by` tools when it names none. */
function _fromProducers(bytes: Uint8Array): DetectedLanguage {
  const fields = readProducers(bytes);
  if (!fields) return "unknown";
  const languages = new Set((fields.language ?? []).map(([name]) => _language(name)));
  // A module links its language's code with C (libc, compiler builtins): the other wins.
  for (const language of ["rust", "cpp", "javascript", "assemblyscript", "c", "wat"] as const) {
    if (languages.has(language)) return language;
  }
  const tools = (fields["processed-by"] ?? []).map(([name]) => name.toLowerCase());
  if (tools.includes("rustc")) return "rust";
  if (tools.some((tool) => tool.includes("clang"))) return "c";
  if (tools.includes("wabt")) return "wat";
  return "unknown";
}

function _language(name: string): DetectedLanguage {
  if (name === "Rust") return "rust";
  if (name.startsWith("C++") || name.startsWith("C_plus_plus")) return "cpp";
  if (/^C\d*$/.test(name)) return "c";
  if (name === "wat") return "wat";
  if (name === "JavaScript") return "javascript";
  if (name === "AssemblyScript") return "assemblyscript";
  return "unknown";
}

/** How many AssemblyScript string objects (rtId 2, even length, printable UTF-16) data holds. */
function _assemblyScriptStrings(data: Uint8Array): number {
  let found = 0;
  for (let i = 0; i + 8 <= data.length; i++) {
    if (data[i] !== 2 || data[i + 1] !== 0 || data[i + 2] !== 0 || data[i + 3] !== 0) continue;
    const size = data[i + 4]! | data[i + 5]! << 8 | data[i + 6]! << 16 | data[i + 7]! << 24;
    if (size < 2 || size > 4096 || size % 2 !== 0 || i + 8 + size > data.length) continue;
    let printable = true;
    for (let j = i + 8; j < i + 8 + size && printable; j += 2) {
      printable = data[j]! >= 0x20 && data[j]! < 0x7f && data[j + 1] === 0;
    }
    if (printable && ++found >= _AS_MIN_STRINGS) return found;
  }
  return found;
}

function _latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
