/** The fuzz seed: `CAXTON_FUZZ_SEED` when set (to replay a failure), else a fixed one. */
export function fuzzSeed(fallback = 13): number {
  const raw = Deno.env.get("CAXTON_FUZZ_SEED");
  if (raw === undefined || raw === "") return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new TypeError(`CAXTON_FUZZ_SEED=${raw} is not an integer`);
  return seed;
}
