/**
 * Continuous traffic to one agent for deployment tests: a window of requests
 * always outstanding, over many conversations, every reply counted by the
 * request it answers — so a switch that loses, duplicates or leaves a
 * message unanswered shows in the counts.
 */
import type { AclMessage } from "../../src/acl/mod.ts";
import type { CaxtonNode } from "../../main.ts";
import { TestParticipant, until } from "../_support/node.ts";

/** Counts of a traffic run. */
export interface TrafficCounts {
  sent: number;
  answered: number;
  duplicates: number;
  failures: number;
  unanswered: number;
}

export class Traffic implements Disposable {
  readonly #me: TestParticipant;
  readonly #agent: string;
  readonly #window: number;
  readonly #content: (i: number) => unknown;
  readonly #sent = new Map<string, unknown>();
  readonly #answers = new Map<string, AclMessage[]>();
  #running = false;
  #n = 0;
  #outstanding = 0;
  readonly #untap: () => void;

  constructor(
    node: CaxtonNode,
    agent: string,
    options: { window?: number; content?: (i: number) => unknown } = {},
  ) {
    this.#agent = agent;
    this.#window = options.window ?? 16;
    this.#content = options.content ?? ((i) => `m${i}`);
    this.#me = new TestParticipant(node);
    this.#untap = node.router.tap((message) => {
      if (!message.receiver.includes(this.#me.name) || !message.inReplyTo) return;
      const list = this.#answers.get(message.inReplyTo);
      if (!list) return;
      if (list.push(message) === 1) {
        this.#outstanding--;
        if (this.#running) this.#send();
      }
    });
  }

  /** Every answer so far, by the content its request carried. */
  get answers(): { request: unknown; reply: AclMessage }[] {
    return [...this.#answers].flatMap(([id, replies]) =>
      replies.map((reply) => ({ request: this.#sent.get(id), reply }))
    );
  }

  get answered(): number {
    let n = 0;
    for (const list of this.#answers.values()) if (list.length > 0) n++;
    return n;
  }

  start(): void {
    this.#running = true;
    while (this.#outstanding < this.#window) this.#send();
  }

  /** Resolves once `more` further requests are answered. */
  async answeredMore(more: number): Promise<void> {
    const target = this.answered + more;
    await until(() => this.answered >= target, `${target} answers from "${this.#agent}"`);
  }

  /** Stops sending, waits for every outstanding answer (or the timeout), and counts. */
  async stop(): Promise<TrafficCounts> {
    this.#running = false;
    await until(() => this.#outstanding === 0, "every request answered", 10_000).catch(() => {});
    let duplicates = 0, failures = 0, unanswered = 0;
    for (const list of this.#answers.values()) {
      if (list.length === 0) unanswered++;
      if (list.length > 1) duplicates += list.length - 1;
      if (list.some((m) => m.performative === "failure")) failures++;
    }
    return { sent: this.#n, answered: this.answered, duplicates, failures, unanswered };
  }

  #send(): void {
    const i = this.#n++;
    const replyWith = `r${i}`;
    const content = this.#content(i);
    this.#sent.set(replyWith, content);
    this.#answers.set(replyWith, []);
    this.#outstanding++;
    this.#me.send({
      performative: "request",
      receiver: [this.#agent],
      content,
      replyWith,
      conversationId: `c${i % 37}`,
    });
  }

  [Symbol.dispose](): void {
    this.#running = false;
    this.#untap();
    this.#me[Symbol.dispose]();
  }
}
