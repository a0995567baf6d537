/**
 * A directory search as every surface asks it (REST query, CLI flags, the
 * content of a `search` request to `df`), parsed once into one shape.
 */
import { parseRange, type VersionRange } from "./version_range.ts";

/** Most providers one search returns. */
export const MAX_SEARCH_LIMIT = 1_000;
const _DEFAULT_LIMIT = 100;

/** What a search asks for; every given field must match. */
export interface SearchQuery {
  /** The capability's name; absent: any. */
  name?: string;
  /** A version range (docs/DISCOVERY.md), parsed. */
  version?: { text: string; range: VersionRange };
  /** Attributes the capability must declare with these values. */
  attributes?: Readonly<Record<string, string | number | boolean>>;
  /** Providers whose cost is above this are left out (those without a cost stay). */
  maxCost?: number;
  limit: number;
}

/** Raised when a search is malformed; `message` says what to send instead. */
export class InvalidSearchError extends Error {
  readonly code = "invalid_search";
  constructor(message: string) {
    super(message);
    this.name = "InvalidSearchError";
  }
}

/** What a search may carry before parsing (an object from JSON, or from query parameters). */
export interface RawSearch {
  name?: unknown;
  version?: unknown;
  attributes?: unknown;
  maxCost?: unknown;
  limit?: unknown;
}

/** Parses a search; throws {@linkcode InvalidSearchError} naming the field at fault. */
export function parseSearch(raw: RawSearch): SearchQuery {
  const query: SearchQuery = { limit: _DEFAULT_LIMIT };
  if (raw.name !== undefined) {
    if (typeof raw.name !== "string" || raw.name === "") {
      throw new InvalidSearchError("Cannot search: name must be a capability name");
    }
    query.name = raw.name;
  }
  if (raw.version !== undefined) {
    const range = typeof raw.version === "string" ? parseRange(raw.version) : undefined;
    if (!range) {
      throw new InvalidSearchError(
        `Cannot search: version ${
          JSON.stringify(raw.version)
        } is not a range; use e.g. "1", "^1.2", "~1.2", ">=1 <3" or "*"`,
      );
    }
    query.version = { text: raw.version as string, range };
  }
  if (raw.attributes !== undefined) {
    const attributes = raw.attributes;
    if (
      typeof attributes !== "object" || attributes === null || Array.isArray(attributes) ||
      Object.values(attributes).some((v) => !["string", "number", "boolean"].includes(typeof v))
    ) {
      throw new InvalidSearchError(
        "Cannot search: attributes must be an object of text, number or boolean values",
      );
    }
    query.attributes = attributes as Record<string, string | number | boolean>;
  }
  if (raw.maxCost !== undefined) {
    const cost = Number(raw.maxCost);
    if (raw.maxCost === "" || !Number.isFinite(cost) || cost < 0) {
      throw new InvalidSearchError("Cannot search: maxCost must be a number ≥ 0");
    }
    query.maxCost = cost;
  }
  if (raw.limit !== undefined) {
    const limit = Number(raw.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new InvalidSearchError(
        `Cannot search: limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}`,
      );
    }
    query.limit = limit;
  }
  return query;
}

/**
 * Attribute filters written `key=value` (CLI `--attribute`, REST `attribute`):
 * the value is compared as text with text attributes, as a number with
 * numbers, and `true`/`false` with booleans (docs/DISCOVERY.md).
 */
export function parseAttributePairs(pairs: readonly string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      throw new InvalidSearchError(
        `Cannot search: attribute ${JSON.stringify(pair)} is not key=value (e.g. from=en)`,
      );
    }
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return attributes;
}
