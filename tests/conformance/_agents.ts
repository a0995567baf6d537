/**
 * The example agents every language implements (examples/agents/README.md),
 * and the behaviour the conformance suite expects of them.
 */
import type { AclMessage } from "../../src/acl/mod.ts";
import type { TestParticipant } from "../_support/node.ts";

/** Every language with example agents, as named under build/agents/<lang>/. */
export const LANGUAGES = ["wat", "assemblyscript", "c", "rust", "js"] as const;
export type Language = typeof LANGUAGES[number];

/** The examples of examples/agents/README.md. */
export const EXAMPLES = ["echo", "counter", "pingpong", "bidder", "manager"] as const;
export type Example = typeof EXAMPLES[number];

/** Which examples each language has: all of them, in every language. */
export const HAS: Record<Language, readonly Example[]> = {
  wat: EXAMPLES,
  assemblyscript: EXAMPLES,
  c: EXAMPLES,
  rust: EXAMPLES,
  js: EXAMPLES,
};

/** The languages that have `example`. */
export function languagesWith(example: Example): Language[] {
  return LANGUAGES.filter((lang) => HAS[lang].includes(example));
}

/**
 * Fuel per message for JavaScript agents: QuickJS builds its runtime and parses
 * the script in `caxton_init`, which runs on the per-message budget and needs
 * more than the default 10M (sdk/js/README.md).
 */
export const JS_FUEL = 50_000_000;

/** Deploy options for the built module `module` ("<lang>/<name>"). */
export function exampleOptions(module: string): { limits?: { fuelPerMessage: number } } {
  return module.startsWith("js/") ? { limits: { fuelPerMessage: JS_FUEL } } : {};
}

/** FNV-1a, 32 bits, over UTF-8 bytes: the bidders' price function. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash >>> 0;
}

/** What bidder `name` answers to a cfp for `task`: a price, or null for `refuse`. */
export function expectedBid(name: string, task: string): number | null {
  const price = fnv1a32(`${name}:${task}`) % 1000;
  return price < 100 ? null : price;
}

/** The manager's verdict for a round: "<winner> <price>" or "none". */
export function expectedWinner(bidders: string[], task: string): string {
  let best: { name: string; price: number } | undefined;
  for (const name of bidders) {
    const price = expectedBid(name, task);
    if (price === null) continue;
    if (!best || price < best.price || (price === best.price && name < best.name)) {
      best = { name, price };
    }
  }
  return best ? `${best.name} ${best.price}` : "none";
}

/** Asks `manager` for a contract-net round and resolves with its final inform. */
export function runRound(
  me: TestParticipant,
  manager: string,
  options: { task: string; bidders: string[]; deadline?: string; timeoutMs?: number },
): Promise<AclMessage> {
  const conversationId = `cnp-${crypto.randomUUID().slice(0, 8)}`;
  const replyWith = crypto.randomUUID();
  const answer = me.next((m) => m.inReplyTo === replyWith, options.timeoutMs ?? 10_000);
  me.send({
    performative: "request",
    receiver: [manager],
    content: `${options.task} ${options.deadline ?? "-"} ${options.bidders.join(" ")}`,
    conversationId,
    replyWith,
  });
  return answer;
}
