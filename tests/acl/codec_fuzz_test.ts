/**
 * A short, seeded fuzz run of the JSON and FIPA string codecs (a longer one:
 * `deno task fuzz`). Replay a failure with CAXTON_FUZZ_SEED=<seed>.
 */
import assert from "node:assert/strict";
import { fuzzAcl } from "../_support/fuzz/fuzz.ts";
import { fuzzSeed } from "../_support/fuzz/seed.ts";

Deno.test("fuzzed text never makes the ACL codecs throw anything but AclParseError", () => {
  const seed = fuzzSeed();
  let runs = 0;
  try {
    runs = fuzzAcl({ seed, ms: 3_000 }).runs;
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(
      `ACL fuzz failed with seed ${seed}: ${(error as Error).message}\n${cause?.message ?? ""}`,
    );
  }
  assert.ok(runs > 100, `only ${runs} inputs were tried`);
});
