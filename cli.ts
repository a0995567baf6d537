/**
 * The `caxton` command: `caxton <noun> <verb>`. `caxton serve` runs a node.
 * Commands live in src/cli/; errors print one line and exit non-zero.
 */
import { main } from "./src/cli/mod.ts";

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
