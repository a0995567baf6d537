/**
 * Watches live conversations that name an interaction protocol and reports
 * each message that breaks it, as it is routed. One checker per conversation,
 * kept for a bounded number of recent conversations (oldest forgotten first),
 * so a long-running node does not grow without bound.
 */
import {
  type AclMessage,
  type ConversationCheck,
  ProtocolChecker,
  type ProtocolViolation,
} from "../acl/mod.ts";

/** A violation in a named conversation. */
export interface ConversationViolation extends ProtocolViolation {
  conversationId: string;
}

/** Options of {@linkcode ProtocolMonitor}. */
export interface ProtocolMonitorOptions {
  /** Called with every message that breaks its conversation's protocol. */
  onViolation?: (violation: ConversationViolation) => void;
  /** Conversations followed at once; the least recently active is dropped first. */
  maxConversations?: number;
}

/** Follows conversations with a `protocol` and a `conversationId`. */
export class ProtocolMonitor {
  readonly #checkers = new Map<string, ProtocolChecker>();
  readonly #options: ProtocolMonitorOptions;
  readonly #max: number;
  #violations = 0;

  constructor(options: ProtocolMonitorOptions = {}) {
    this.#options = options;
    this.#max = options.maxConversations ?? 10_000;
  }

  /** Violations reported since start. */
  get violations(): number {
    return this.#violations;
  }

  /** Checks one routed message; messages outside a protocol conversation are ignored. */
  observe(message: AclMessage, at = Date.now()): void {
    const id = message.conversationId;
    if (id === undefined) return;
    let checker = this.#checkers.get(id);
    if (checker) {
      // Re-insert: Map order is then least recently active first.
      this.#checkers.delete(id);
    } else {
      if (message.protocol === undefined) return;
      checker = new ProtocolChecker();
      if (this.#checkers.size >= this.#max) {
        this.#checkers.delete(this.#checkers.keys().next().value!);
      }
    }
    this.#checkers.set(id, checker);
    for (const violation of checker.observe(message, { at })) {
      this.#violations++;
      this.#options.onViolation?.({ ...violation, conversationId: id });
    }
  }

  /** The verdict on a followed conversation, or undefined when it is not (or no longer) followed. */
  check(conversationId: string): ConversationCheck | undefined {
    return this.#checkers.get(conversationId)?.result();
  }
}
