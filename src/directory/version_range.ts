/**
 * Versions and version ranges of capabilities: `MAJOR[.MINOR[.PATCH]]`
 * (missing parts are 0) against npm-style ranges — `*`, `1` / `1.2` (that
 * major / minor), `^1.2`, `~1.2`, comparators `>=1.2 <2` (all must hold) and
 * alternatives joined by `||`. Small on purpose: capabilities carry no
 * prerelease tags, so a full semver library would be dead weight.
 */

/** A version as three numbers. */
export type Version = readonly [number, number, number];

/** A parsed range: any alternative whose comparators all hold matches. */
export type VersionRange = readonly (readonly _Comparator[])[];

interface _Comparator {
  op: "<" | "<=" | ">" | ">=" | "=";
  version: Version;
}

const _VERSION = /^v?(\d{1,9})(?:\.(\d{1,9}|[x*]))?(?:\.(\d{1,9}|[x*]))?$/;

/** `1.2` → [1, 2, 0]; undefined when not a version. */
export function parseVersion(text: string): Version | undefined {
  const parts = _parts(text);
  return parts && _full(parts);
}

/** The numbers written (x and * are left out), or undefined. */
function _parts(text: string): number[] | undefined {
  const match = _VERSION.exec(text.trim());
  if (!match) return undefined;
  const parts = [Number(match[1])];
  for (const part of [match[2], match[3]]) {
    if (part === undefined || part === "x" || part === "*") break;
    parts.push(Number(part));
  }
  return parts;
}

function _compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The exclusive upper bound of a partial version: `1` → 2.0.0, `1.2` → 1.3.0. */
function _next(parts: readonly number[]): Version {
  if (parts.length === 1) return [parts[0]! + 1, 0, 0];
  return [parts[0]!, parts[1]! + 1, 0];
}

function _full(parts: readonly number[]): Version {
  return [parts[0]!, parts[1] ?? 0, parts[2] ?? 0];
}

/** One space-separated term of a range as comparators, or undefined when malformed. */
function _term(term: string): _Comparator[] | undefined {
  if (term === "*" || term === "x") return [];
  const op = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(term)!;
  const parts = _parts(op[2]!);
  if (!parts) return undefined;
  const low = _full(parts);
  switch (op[1]) {
    case "<":
    case "<=":
    case ">":
    case ">=":
      return [{ op: op[1], version: low }];
    case "^": {
      // ^1.2.3 < 2.0.0; ^0.2.3 < 0.3.0 (npm's rule: the first non-zero part is fixed).
      const high: Version = low[0] > 0 || parts.length === 1
        ? [low[0] + 1, 0, 0]
        : low[1] > 0 || parts.length === 2
        ? [0, low[1] + 1, 0]
        : [0, 0, low[2] + 1];
      return [{ op: ">=", version: low }, { op: "<", version: high }];
    }
    case "~":
      return [{ op: ">=", version: low }, {
        op: "<",
        version: _next(parts.length === 1 ? parts : parts.slice(0, 2)),
      }];
    default:
      // A bare (or `=`) partial version is the range it spans: `1.2` is >=1.2.0 <1.3.0.
      return parts.length === 3
        ? [{ op: "=", version: low }]
        : [{ op: ">=", version: low }, { op: "<", version: _next(parts) }];
  }
}

/** Parses `text` as a range, or undefined when it is not one. */
export function parseRange(text: string): VersionRange | undefined {
  const alternatives: _Comparator[][] = [];
  for (const alternative of text.split("||")) {
    const terms = alternative.trim().split(/\s+/).filter((t) => t !== "");
    if (terms.length === 0) return undefined;
    const comparators: _Comparator[] = [];
    for (const term of terms) {
      const parsed = _term(term);
      if (!parsed) return undefined;
      comparators.push(...parsed);
    }
    alternatives.push(comparators);
  }
  return alternatives;
}

/** Whether `version` lies in `range`. */
export function satisfies(version: Version, range: VersionRange): boolean {
  return range.some((all) =>
    all.every(({ op, version: bound }) => {
      const c = _compare(version, bound);
      return op === "<"
        ? c < 0
        : op === "<="
        ? c <= 0
        : op === ">"
        ? c > 0
        : op === ">="
        ? c >= 0
        : c === 0;
    })
  );
}
