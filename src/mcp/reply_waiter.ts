/**
 * Sends a message as a fresh outside participant and waits for its first
 * threaded reply: the `request` tool of Caxton's MCP server.
 */
import type { AclMessage } from "../acl/mod.ts";
import type { Router } from "../router/mod.ts";

/** Waits for replies; close() ends every wait at once (the node is stopping). */
export class ReplyWaiter {
  readonly #router: Router;
  readonly #waits = new Set<() => void>();
  #closed = false;

  constructor(router: Router) {
    this.#router = router;
  }

  /** True once closed: no new wait starts. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Routes `message` (its sender and replyWith are set here) and resolves
   * with the first reply to it, or null after `waitMs` or on close.
   */
  async ask(message: AclMessage, waitMs: number): Promise<AclMessage | null> {
    if (this.#closed) return null;
    const name = `ext:mcp-${crypto.randomUUID().slice(0, 8)}`;
    const replyWith = crypto.randomUUID();
    let resolveReply: (m: AclMessage | null) => void = () => {};
    const reply = new Promise<AclMessage | null>((resolve) => resolveReply = resolve);
    const registration = this.#router.registerExternal(name, (m) => {
      if (m.inReplyTo === replyWith) resolveReply(m);
    });
    const end = () => resolveReply(null);
    this.#waits.add(end);
    const timer = setTimeout(end, waitMs);
    try {
      this.#router.route({ ...message, sender: name, replyWith });
      return await reply;
    } finally {
      clearTimeout(timer);
      this.#waits.delete(end);
      registration[Symbol.dispose]();
    }
  }

  /** Ends pending waits (they resolve null). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const end of this.#waits) end();
  }
}
