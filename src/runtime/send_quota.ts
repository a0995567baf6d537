/**
 * Per-agent send quotas inside a worker: at most `messages` sends per agent
 * in each `intervalMs` window. Over quota, `send` returns -2 — the same
 * backpressure a full mailbox gives — so the agent sees it and nothing it
 * sent is dropped; it may send again in the next window. One agent's storm
 * then takes a bounded share of the node, whatever its fan-out.
 */

/** A node's send quota; `messages` 0 means no quota. */
export interface SendQuotaSpec {
  messages: number;
  intervalMs: number;
}

/** Counts sends per agent name in fixed windows. */
export class SendQuota {
  #spec: SendQuotaSpec = { messages: 0, intervalMs: 1_000 };
  readonly #used = new Map<string, number>();
  #windowEnds = 0;

  set spec(spec: SendQuotaSpec) {
    this.#spec = spec;
    this.#used.clear();
    this.#windowEnds = 0;
  }

  /** Takes one send for `agent`; false when its quota for this window is spent. */
  take(agent: string): boolean {
    const { messages, intervalMs } = this.#spec;
    if (messages === 0) return true;
    const now = performance.now();
    if (now >= this.#windowEnds) {
      this.#used.clear();
      this.#windowEnds = now + intervalMs;
    }
    const used = this.#used.get(agent) ?? 0;
    if (used >= messages) return false;
    this.#used.set(agent, used + 1);
    return true;
  }
}
