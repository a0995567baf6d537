/**
 * A setting made of integer fields (`scheduling`, `pools`): read from the
 * environment by variable name, and parsed over the current values with an
 * error that names the section, the field and the range.
 */

/** The section's fields set in `env` (by `names`: variable → field), or undefined when none is. */
export function sectionFromEnv(
  env: Record<string, string | undefined>,
  names: Record<string, string>,
): Record<string, unknown> | undefined {
  const set = Object.entries(names).filter(([name]) => env[name] !== undefined);
  return set.length > 0
    ? Object.fromEntries(set.map(([name, key]) => [key, env[name]]))
    : undefined;
}

/** Reads `value` (an object of integers, or their text) over `current`; each field within `ranges`. */
export function parseIntegerSection<T extends { [K in keyof T]: number }>(
  section: string,
  value: unknown,
  current: T,
  ranges: Record<keyof T, readonly [min: number, max: number]>,
): T {
  const fields = Object.keys(ranges);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${section}=${JSON.stringify(value)}: expected { ${fields.map((f) => `${f}?`).join(", ")} }`,
    );
  }
  const next: Record<string, number> = { ...current };
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (field === undefined) continue;
    if (!(key in ranges)) {
      throw new TypeError(`${section}.${key} is unknown; known fields are ${fields.join(", ")}`);
    }
    const [min, max] = ranges[key as keyof T];
    const n = typeof field === "string" && field.trim() !== "" ? Number(field) : field;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw new TypeError(
        `${section}.${key}=${JSON.stringify(field)}: expected an integer from ${min} to ${max}`,
      );
    }
    next[key] = n;
  }
  return next as T;
}
