/**
 * A module's sections read by hand (no compile, no binaryen): their bounds, the
 * export names, and the `producers` custom section (WebAssembly
 * tool-conventions, ProducersSection.md) that says which languages, tools and
 * SDKs made it. Read at deploy to tell an agent's language; the producers
 * section is written by src/toolchain, whose stripped builds (`--strip-all`,
 * `strip=symbols`) drop the one the compiler emitted. No dependency, so the
 * toolchain imports this file without binaryen.
 *
 * @module
 */

/** A module's sections in order: id, custom name (id 0 only) and payload bounds. */
export interface WasmSection {
  id: number;
  /** Where the section begins (its id byte). */
  offset: number;
  /** The custom section's name; empty for other sections. */
  name: string;
  /** Payload start (after the name, for a custom section) and end in the module's bytes. */
  start: number;
  end: number;
}

/** Field name → [tool or language, version] pairs, e.g. `{ language: [["C++", ""]] }`. */
export type ProducerFields = Record<string, [name: string, version: string][]>;

const _utf8 = new TextDecoder("utf-8", { fatal: false });
const _encoder = new TextEncoder();

/** The sections of `bytes`; stops at the first malformed one (the module is validated elsewhere). */
export function wasmSections(bytes: Uint8Array): WasmSection[] {
  const sections: WasmSection[] = [];
  let at = 8; // magic + version
  while (at < bytes.length) {
    const offset = at;
    const id = bytes[at++]!;
    const size = _leb(bytes, at);
    if (size === undefined) break;
    const end = size.next + size.value;
    if (end > bytes.length) break;
    let start = size.next;
    let name = "";
    if (id === 0) {
      const text = _name(bytes, start, end);
      if (text === undefined) break;
      name = text.value;
      start = text.next;
    }
    sections.push({ id, offset, name, start, end });
    at = end;
  }
  return sections;
}

/** The module's producers section, or undefined when it has none (or it is malformed). */
export function readProducers(bytes: Uint8Array): ProducerFields | undefined {
  const section = wasmSections(bytes).find((s) => s.id === 0 && s.name === "producers");
  if (!section) return undefined;
  const fields: ProducerFields = {};
  let at = section.start;
  const count = _leb(bytes, at);
  if (count === undefined) return undefined;
  at = count.next;
  for (let f = 0; f < count.value; f++) {
    const field = _name(bytes, at, section.end);
    const values = field && _leb(bytes, field.next);
    if (!field || !values) return undefined;
    at = values.next;
    const pairs: [string, string][] = [];
    for (let v = 0; v < values.value; v++) {
      const name = _name(bytes, at, section.end);
      const version = name && _name(bytes, name.next, section.end);
      if (!name || !version) return undefined;
      pairs.push([name.value, version.value]);
      at = version.next;
    }
    fields[field.value] = pairs;
  }
  return fields;
}

/** The names the module exports, from its export section. */
export function exportNames(bytes: Uint8Array): string[] {
  const section = wasmSections(bytes).find((s) => s.id === 7);
  if (!section) return [];
  const count = _leb(bytes, section.start);
  if (!count) return [];
  const names: string[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const name = _name(bytes, at, section.end);
    const index = name && _leb(bytes, name.next + 1); // after the kind byte
    if (!name || !index) break;
    names.push(name.value);
    at = index.next;
  }
  return names;
}

/** `bytes` with a producers section of `fields` appended, unless it already has one. */
export function withProducers(bytes: Uint8Array, fields: ProducerFields): Uint8Array {
  if (readProducers(bytes) !== undefined) return bytes;
  const payload: number[] = [..._nameBytes("producers")];
  const entries = Object.entries(fields);
  payload.push(..._lebBytes(entries.length));
  for (const [field, values] of entries) {
    payload.push(..._nameBytes(field), ..._lebBytes(values.length));
    for (const [name, version] of values) payload.push(..._nameBytes(name), ..._nameBytes(version));
  }
  const section = [0, ..._lebBytes(payload.length), ...payload];
  const out = new Uint8Array(bytes.length + section.length);
  out.set(bytes);
  out.set(section, bytes.length);
  return out;
}

/** An unsigned LEB128 u32 at `at`, and where the next value starts. */
function _leb(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = bytes[at++];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at };
  }
  return undefined;
}

/** A length-prefixed UTF-8 name at `at` that ends by `limit`. */
function _name(bytes: Uint8Array, at: number, limit: number) {
  const length = _leb(bytes, at);
  if (!length || length.next + length.value > limit) return undefined;
  const next = length.next + length.value;
  return { value: _utf8.decode(bytes.subarray(length.next, next)), next };
}

function _lebBytes(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value === 0 ? byte : byte | 0x80);
  } while (value !== 0);
  return out;
}

function _nameBytes(text: string): number[] {
  const utf8 = _encoder.encode(text);
  return [..._lebBytes(utf8.length), ...utf8];
}
