/**
 * Request load for the deployment bench: an outside participant sends
 * requests to "svc" over many conversations and stamps every reply on
 * arrival. Two shapes: `closed` keeps a window of requests outstanding (the
 * node runs saturated), `paced` sends at a fixed rate whatever the replies
 * do (the node runs well under capacity, so its own reply gaps are small).
 */
import type { startNode } from "../main.ts";

type Node = Awaited<ReturnType<typeof startNode>>;

/** How the load sends. */
export type LoadShape = { kind: "closed"; window: number } | { kind: "paced"; perSecond: number };

/** Continuous request load with reply arrival times. */
export class Load {
  readonly arrivals: number[] = [];
  readonly #replies = new Map<string, number>();
  readonly #node: Node;
  readonly #name: string;
  readonly #registration: Disposable;
  readonly #shape: LoadShape;
  #n = 0;
  #running = true;
  #outstanding = 0;
  #pacer: ReturnType<typeof setInterval> | undefined;

  constructor(node: Node, shape: LoadShape) {
    this.#node = node;
    this.#shape = shape;
    this.#name = `ext:bench-${shape.kind}`;
    this.#registration = node.router.registerExternal(this.#name, (m) => {
      if (!m.inReplyTo || !this.#replies.has(m.inReplyTo)) return;
      this.#replies.set(m.inReplyTo, this.#replies.get(m.inReplyTo)! + 1);
      this.arrivals.push(performance.now());
      this.#outstanding--;
      if (this.#running && shape.kind === "closed") this.#send();
    });
    if (shape.kind === "closed") {
      for (let i = 0; i < shape.window; i++) this.#send();
      return;
    }
    // Whatever is due by now is sent at each tick, so the rate holds on average.
    const began = performance.now();
    this.#pacer = setInterval(() => {
      const due = Math.floor((performance.now() - began) * shape.perSecond / 1000);
      while (this.#n < due) this.#send();
    }, 1);
  }

  #send(): void {
    const id = `r${this.#n++}`;
    this.#replies.set(id, 0);
    this.#outstanding++;
    this.#node.router.route({
      performative: "request",
      sender: this.#name,
      receiver: ["svc"],
      content: id,
      replyWith: id,
      conversationId: `c${this.#n % 97}`,
    });
  }

  /** The longest gap between replies (and from `from` to the first, the last to `to`) in [from, to]. */
  longestGap(from: number, to: number): number {
    let last = from, gap = 0;
    for (const at of this.arrivals) {
      if (at < from) continue;
      if (at > to) break;
      gap = Math.max(gap, at - last);
      last = at;
    }
    return Math.max(gap, to - last);
  }

  /** Stops sending, waits for the outstanding replies (10 s at most), and counts. */
  async stop(): Promise<{ sent: number; lost: number; duplicated: number }> {
    this.#running = false;
    clearInterval(this.#pacer);
    const end = Date.now() + 10_000;
    while (this.#outstanding > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    this.#registration[Symbol.dispose]();
    let lost = 0, duplicated = 0;
    for (const count of this.#replies.values()) {
      if (count === 0) lost++;
      if (count > 1) duplicated += count - 1;
    }
    return { sent: this.#n, lost, duplicated };
  }
}
