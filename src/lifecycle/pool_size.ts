/**
 * How many members a pool runs (docs/POOLS.md): a fixed number, or a range
 * the node moves within from the mailbox's depth. One text form serves the
 * query, the multipart field and the CLI: `N` or `MIN..MAX` (`1..4`).
 */

/** Most members one pooled agent may run. */
export const MAX_INSTANCES = 64;

/** The least and most members of a pool the node sizes itself. */
export interface InstanceRange {
  min: number;
  max: number;
}

/** A deployment's pool size, as stored: `instances` (the least) and `maxInstances` (null: fixed). */
export interface PoolSize {
  instances: number;
  maxInstances: number | null;
}

const _TEXT = /^([0-9]{1,6})(?:\.\.([0-9]{1,6}))?$/;

/** Reads `N` or `MIN..MAX`; undefined when the text is neither (the caller says how to send it). */
export function parseInstances(text: string): number | InstanceRange | undefined {
  const match = _TEXT.exec(text);
  if (!match) return undefined;
  const min = Number(match[1]);
  return match[2] === undefined ? min : { min, max: Number(match[2]) };
}

/**
 * Why `instances` is not an acceptable pool size, or null when it is: a whole
 * number from 1 to {@linkcode MAX_INSTANCES}, or `{min, max}` with 1 ≤ min ≤ max ≤ it.
 */
export function poolSizeProblem(instances: unknown): string | null {
  const whole = (n: unknown) =>
    Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_INSTANCES;
  if (typeof instances !== "object" || instances === null) {
    return whole(instances)
      ? null
      : `instances ${JSON.stringify(instances)} must be an integer from 1 to ${MAX_INSTANCES}`;
  }
  const { min, max, ...rest } = instances as Record<string, unknown>;
  if (
    Object.keys(rest).length === 0 && whole(min) && whole(max) && (min as number) <= (max as number)
  ) {
    return null;
  }
  return `instances ${
    JSON.stringify(instances)
  } must be {min, max} with 1 <= min <= max <= ${MAX_INSTANCES} (e.g. 1..4)`;
}

/** The stored form of a checked pool size; a range of one size is a fixed pool. */
export function poolSize(instances: number | InstanceRange): PoolSize {
  if (typeof instances === "number") return { instances, maxInstances: null };
  return {
    instances: instances.min,
    maxInstances: instances.max > instances.min ? instances.max : null,
  };
}

/** Whether an agent of this size runs as a pool (stateless members), even with one member now. */
export function isPooled(size: PoolSize): boolean {
  return size.instances > 1 || size.maxInstances !== null;
}
