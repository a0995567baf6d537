/**
 * `caxton agent deploy NAME FILE --count N` (issue 21): N agents of one module
 * through the bulk deploy route, in requests of a few thousand so a terminal
 * shows progress and no request body grows with N.
 */
import { CliError, EXIT } from "../exit.ts";
import { emit } from "../output.ts";
import type { CommandContext } from "../command_types.ts";

/** Agents per request. */
const _PER_REQUEST = 5_000;

interface _BulkResult {
  deployed: number;
  first: string;
  last: string;
  moduleHash: string;
  capabilities: string[];
}

/** Parses `--count`: an integer from 1 to 1,000,000. */
export function countOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new CliError(
      `Cannot use --count ${value}: expected an integer from 1 to 1000000`,
      EXIT.usage,
    );
  }
  return n;
}

/**
 * Deploys `count` agents named from `name` (`{n}` replaced by 1…count, or
 * `name-1`…); `form` builds each request's body around the module.
 */
export async function deployCount(
  ctx: CommandContext,
  name: string,
  count: number,
  form: () => FormData,
): Promise<void> {
  const o = ctx.output;
  const pattern = name.includes("{n}") ? name : `${name}-{n}`;
  const started = performance.now();
  const total: _BulkResult = { deployed: 0, first: "", last: "", moduleHash: "", capabilities: [] };
  for (let start = 1; start <= count; start += _PER_REQUEST) {
    const body = form();
    const n = Math.min(_PER_REQUEST, count - start + 1);
    body.set("agents", JSON.stringify({ pattern, count: n, start }));
    const result = await ctx.client().json<_BulkResult>("/api/v1/agents", { method: "PUT", body });
    total.deployed += result.deployed;
    total.first ||= result.first;
    total.last = result.last;
    total.moduleHash = result.moduleHash;
    total.capabilities = result.capabilities;
    if (o.interactive && !o.json) {
      const rate = Math.round(total.deployed / ((performance.now() - started) / 1000));
      Deno.stderr.writeSync(
        new TextEncoder().encode(`\rdeployed ${total.deployed}/${count} (${rate} agents/s)`),
      );
    }
  }
  if (o.interactive && !o.json) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  emit(
    o,
    total,
    () =>
      `deployed ${total.deployed} agents, ${total.first} … ${total.last} (module ${
        total.moduleHash.slice(0, 12)
      }); each activates on its first message`,
  );
}
