/**
 * `deno task fuzz -- --seconds 300 --seed 42`: a long fuzz run of the REST
 * API (a real node on a loopback port, temp data dir) and the ACL codecs.
 * Prints what it sent by status; exits 1 with the seed and the failing
 * request at the first wrong answer. `--api-only` / `--acl-only` run one half.
 */
import { parseArgs } from "node:util";
import { startApiNode } from "../tests/_support/api_node.ts";
import { fuzzAcl, fuzzApi } from "../tests/_support/fuzz/fuzz.ts";
import { fuzzModules, KNOWN, replenish } from "../tests/_support/fuzz/setup.ts";

const { values } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"),
  options: {
    seconds: { type: "string", default: "60" },
    seed: { type: "string" },
    "api-only": { type: "boolean", default: false },
    "acl-only": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error("fuzz: --seconds must be a positive number and --seed an integer");
  Deno.exit(2);
}
console.log(`fuzz: seed ${seed}, ${seconds} s (replay with --seed ${seed})`);

try {
  if (!values["api-only"]) {
    const ms = values["acl-only"] ? seconds * 1000 : seconds * 200;
    const acl = fuzzAcl({ seed, ms });
    console.log(`acl codecs: ${acl.runs} inputs, none threw anything but AclParseError`);
  }
  if (!values["acl-only"]) {
    await using n = await startApiNode();
    await replenish(n.api);
    const ms = values["api-only"] ? seconds * 1000 : seconds * 800;
    const api = await fuzzApi(n.url, KNOWN, {
      seed,
      ms,
      replenish: () => replenish(n.api),
      modules: fuzzModules(),
    });
    const ready = await fetch(`${n.url}/ready`);
    await ready.body?.cancel();
    console.log(`api: ${api.runs} requests; answers by status: ${JSON.stringify(api.statuses)}`);
    if (ready.status !== 200) throw new Error(`/ready answered ${ready.status} after the run`);
    console.log("api: /ready 200 afterwards");
  }
} catch (error) {
  const cause = (error as Error).cause as Error | undefined;
  console.error(`fuzz: FAILED with seed ${seed}\n${(error as Error).message}`);
  if (cause) console.error(`cause: ${cause.message}`);
  Deno.exit(1);
}
