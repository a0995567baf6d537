/**
 * Tells a router's synchronous refusal from an agent's answer. The router
 * answers an undeliverable message with a `failure` to the sender inside
 * `route()` itself; agents answer later, from their workers. So a failure
 * that arrives while `route()` runs is the router's refusal of that message.
 */
import type { AclMessage } from "../acl/mod.ts";

const _CODES = new Set([
  "unknown_receiver",
  "mailbox_full",
  "agent_unavailable",
  "message_too_large",
  // The receiver is passivated and the node holds its most live instances (issue 21).
  "instance_limit",
  // Cluster: the receiver's node is known gone (src/cluster).
  "node_unreachable",
]);

/** Collects refusals that arrive while a send runs. */
export class RefusalCapture {
  #captured: AclMessage[] | null = null;

  /** Runs `send`; returns the refusals that arrived meanwhile. */
  during(send: () => void): AclMessage[] {
    const captured: AclMessage[] = [];
    const outer = this.#captured;
    this.#captured = captured;
    try {
      send();
    } finally {
      this.#captured = outer;
    }
    return captured;
  }

  /** True (and kept) when `message` is a refusal of the send in progress. */
  take(message: AclMessage): boolean {
    if (this.#captured === null || message.performative !== "failure") return false;
    const code = (message.content as { code?: unknown } | undefined)?.code;
    if (typeof code !== "string" || !_CODES.has(code)) return false;
    this.#captured.push(message);
    return true;
  }
}
