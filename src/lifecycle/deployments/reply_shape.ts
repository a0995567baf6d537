/** What of a reply is compared between versions: everything but ids the platform stamps. */
import type { Effects } from "../../runtime/mod.ts";

/** The replies (sends) of one run, parsed, without traceparents. */
export function repliesOf(effects: Pick<Effects, "sends">): unknown[] {
  return effects.sends.map((text) => {
    try {
      const { traceparent: _, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    } catch {
      return text;
    }
  });
}

/** Whether two runs replied the same (order and content). */
export function sameReplies(a: unknown[], b: unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
