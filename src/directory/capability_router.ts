/**
 * Capability addressing: `cap:<name>` reaches one live provider — the least
 * loaded (mailbox depth), ties taken in turn — and every later message of the
 * same conversation reaches the same one while it stays live;
 * `cap:<name>/*` reaches every live provider (docs/DISCOVERY.md).
 */
import type { AclMessage } from "../acl/mod.ts";
import { CAPABILITY_PREFIX, type CapabilityRoutes } from "../router/mod.ts";
import type { CapabilityIndex } from "./capability_index.ts";

/** The suffix that makes a capability address a broadcast. */
export const BROADCAST_SUFFIX = "/*";

/** Conversations remembered for stickiness; the oldest is forgotten past this. */
const _MAX_STICKY = 100_000;

/** Resolves `cap:` addresses over the directory's index. */
export class CapabilityRouter implements CapabilityRoutes {
  readonly #index: CapabilityIndex;
  /** `<capability> <conversation id>` → provider, in insertion order (oldest first). */
  readonly #sticky = new Map<string, string>();
  #turn = 0;

  constructor(index: CapabilityIndex) {
    this.#index = index;
  }

  resolve(address: string, message: AclMessage): readonly string[] | string {
    const all = address.endsWith(BROADCAST_SUFFIX);
    const name = address.slice(
      CAPABILITY_PREFIX.length,
      all ? -BROADCAST_SUFFIX.length : undefined,
    );
    const live = this.#index.liveProviders(name);
    if (live.length === 0) {
      return this.#index.declared(name)
        ? `no live provider of capability "${name}": every agent declaring it is stopped or failed`
        : `no agent declares capability "${name}"; search the directory (GET /api/v1/capabilities, or a request to df)`;
    }
    if (all) return live.map((p) => p.agent);
    const conversation = message.conversationId;
    if (conversation === undefined) return [this.#leastLoaded(live)];
    const key = `${name} ${conversation}`;
    const kept = this.#sticky.get(key);
    if (kept !== undefined && live.some((p) => p.agent === kept)) return [kept];
    const chosen = this.#leastLoaded(live);
    this.#sticky.delete(key);
    this.#sticky.set(key, chosen);
    if (this.#sticky.size > _MAX_STICKY) {
      this.#sticky.delete(this.#sticky.keys().next().value!);
    }
    return [chosen];
  }

  /** The least loaded provider; among equals, the next in turn (round-robin). */
  #leastLoaded(live: readonly { agent: string; load: number }[]): string {
    let min = Infinity;
    for (const p of live) if (p.load < min) min = p.load;
    const idle = live.filter((p) => p.load === min);
    idle.sort((a, b) => (a.agent < b.agent ? -1 : 1));
    return idle[this.#turn++ % idle.length]!.agent;
  }
}
