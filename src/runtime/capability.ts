/**
 * The rule for a capability an agent declares, shared by `register_capability`
 * and deployment options: a bare name, or a JSON object with the name, a
 * description and an example of the content the agent expects (docs/ABI.md).
 */
import type { CapabilityDeclaration } from "./worker_protocol.ts";

/** Longest capability name, bytes. */
const MAX_CAPABILITY_NAME = 128;
/** Longest capability declaration (name, description and example as JSON), bytes. */
export const MAX_CAPABILITY_BYTES = 4096;

const _NAME = /^[a-z0-9._:-]{1,128}$/;
const _FIELDS = new Set(["name", "description", "example", "version", "attributes", "cost"]);
/** `MAJOR[.MINOR[.PATCH]]`: what a version range (docs/DISCOVERY.md) compares. */
const _VERSION = /^\d{1,9}(\.\d{1,9}){0,2}$/;
const _MAX_ATTRIBUTES = 32;

/**
 * The declaration `value` stands for — a name, or an object with `name` and
 * optional `description` (text), `example` (any JSON), `version`
 * (`MAJOR[.MINOR[.PATCH]]`), `attributes` (flat text, number or boolean
 * values) and `cost` (a number ≥ 0) — or why not.
 * Fields other than these are refused, so a later field is never a silent
 * no-op on an older node.
 */
export function parseCapability(value: unknown): CapabilityDeclaration | string {
  if (typeof value === "string") {
    return _NAME.test(value)
      ? { name: value }
      : `capability name ${
        JSON.stringify(value)
      } is not 1-${MAX_CAPABILITY_NAME} characters of a-z 0-9 . _ : -`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `a capability is a name or an object { name, description?, example? }, got ${
      JSON.stringify(value)
    }`;
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !_FIELDS.has(k));
  if (unknown !== undefined) {
    return `capability field "${unknown}" is unknown; use name, description, example, version, attributes, cost`;
  }
  const named = parseCapability(fields.name);
  if (typeof named === "string") return named;
  if (fields.description !== undefined && typeof fields.description !== "string") {
    return `capability "${named.name}": description must be text`;
  }
  const wrong = _directoryFields(named.name, fields);
  if (wrong !== null) return wrong;
  const text = JSON.stringify(fields);
  if (_encoder.encode(text).length > MAX_CAPABILITY_BYTES) {
    return `capability "${named.name}" is over ${MAX_CAPABILITY_BYTES} bytes as JSON; shorten its description or example`;
  }
  if (fields.description !== undefined) named.description = fields.description as string;
  if (fields.example !== undefined) named.example = fields.example;
  if (fields.version !== undefined) named.version = fields.version as string;
  if (fields.attributes !== undefined) {
    named.attributes = fields.attributes as Record<string, string | number | boolean>;
  }
  if (fields.cost !== undefined) named.cost = fields.cost as number;
  return named;
}

/** Why the fields a directory searches by (version, attributes, cost) are malformed, or null. */
function _directoryFields(name: string, fields: Record<string, unknown>): string | null {
  const { version, attributes, cost } = fields;
  if (version !== undefined && (typeof version !== "string" || !_VERSION.test(version))) {
    return `capability "${name}": version ${
      JSON.stringify(version)
    } is not MAJOR[.MINOR[.PATCH]] (e.g. "1" or "1.2.0")`;
  }
  if (cost !== undefined && (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0)) {
    return `capability "${name}": cost must be a number ≥ 0`;
  }
  if (attributes === undefined) return null;
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    return `capability "${name}": attributes must be an object of text, number or boolean values`;
  }
  const entries = Object.entries(attributes);
  if (entries.length > _MAX_ATTRIBUTES) {
    return `capability "${name}": at most ${_MAX_ATTRIBUTES} attributes`;
  }
  const nested = entries.find(([, v]) => !["string", "number", "boolean"].includes(typeof v));
  return nested === undefined
    ? null
    : `capability "${name}": attribute "${nested[0]}" must be text, a number or a boolean`;
}

/** What agent code passed to `register_capability`: a name, or JSON text of a declaration. */
export function parseRegisteredCapability(text: string): CapabilityDeclaration | null {
  let value: unknown = text;
  if (text.startsWith("{")) {
    try {
      value = JSON.parse(text);
    } catch {
      return null;
    }
  }
  const parsed = parseCapability(value);
  return typeof parsed === "string" ? null : parsed;
}

const _encoder = new TextEncoder();
