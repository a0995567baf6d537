/**
 * Shadow: every message the stable instance takes is copied to the new
 * version's instance. The shadow's outcomes are never applied: its sends and
 * replies go nowhere and its state writes stay in its own cache (a scratch
 * copy of the state it started with). Its replies are compared with the
 * stable version's, message by message.
 */
import type { Envelope } from "../../router/mod.ts";
import type { Outcome, WorkerPool } from "../../runtime/mod.ts";
import type { LiveAgent } from "../live_agent.ts";
import { repliesOf, sameReplies } from "./reply_shape.ts";
import type { Divergence, ShadowReport } from "./rollout_report.ts";
import type { VersionStats } from "./version_stats.ts";

const _MAX_EXAMPLES = 10;

interface _Pair {
  message: unknown;
  stable?: unknown[];
  shadow?: unknown[];
}

/** The sink that feeds the stable instance and a copy to the shadow; see the module doc. */
export class ShadowCopy {
  readonly #live: LiveAgent;
  readonly #pool: WorkerPool;
  readonly #stable: number;
  readonly #shadow: number;
  #nextShadowSeq = 1;
  /** By stable seq and by shadow seq: the same pair. */
  readonly #byStable = new Map<number, _Pair>();
  readonly #byShadow = new Map<number, _Pair>();
  readonly #examples: Divergence[] = [];
  #compared = 0;
  #diverged = 0;
  #shadowFailures = 0;
  readonly #shadowStats: VersionStats;

  constructor(
    live: LiveAgent,
    pool: WorkerPool,
    instances: { stable: number; shadow: number },
    shadowStats: VersionStats,
  ) {
    this.#live = live;
    this.#pool = pool;
    this.#stable = instances.stable;
    this.#shadow = instances.shadow;
    this.#shadowStats = shadowStats;
  }

  connect(): void {
    this.#live.mailbox.connect(this.sink);
  }

  readonly sink = (seq: number, envelope: Envelope): boolean => {
    const options = { seq, traceparent: envelope.message.traceparent, timed: true };
    if (!this.#pool.deliver(this.#stable, envelope.text, options)) return false;
    const pair: _Pair = { message: envelope.message };
    const shadowSeq = this.#nextShadowSeq++;
    this.#byStable.set(seq, pair);
    this.#byShadow.set(shadowSeq, pair);
    this.#pool.deliver(this.#shadow, envelope.text, { ...options, seq: shadowSeq });
    return true;
  };

  /**
   * Sees an outcome of either instance. Returns true for the shadow's (the
   * caller must not apply it); the stable's is applied as usual.
   */
  observe(outcome: Outcome): boolean {
    const isShadow = outcome.instanceId === this.#shadow;
    if (!isShadow && outcome.instanceId !== this.#stable) return false;
    const pair = (isShadow ? this.#byShadow : this.#byStable).get(outcome.seq);
    if (isShadow) {
      this.#shadowStats.record(outcome);
      this.#byShadow.delete(outcome.seq);
      if (outcome.failure !== null) this.#shadowFailures++;
    } else this.#byStable.delete(outcome.seq);
    if (!pair) return isShadow;
    const replies = outcome.failure === null ? repliesOf(outcome) : [{ failure: outcome.failure }];
    if (isShadow) pair.shadow = replies;
    else pair.stable = replies;
    if (pair.stable && pair.shadow) this.#compare(pair);
    return isShadow;
  }

  #compare(pair: _Pair): void {
    this.#compared++;
    if (sameReplies(pair.stable!, pair.shadow!)) return;
    this.#diverged++;
    if (this.#examples.length < _MAX_EXAMPLES) {
      this.#examples.push({ message: pair.message, stable: pair.stable, shadow: pair.shadow });
    }
  }

  report(): ShadowReport {
    return {
      compared: this.#compared,
      diverged: this.#diverged,
      divergenceRate: this.#compared === 0 ? 0 : this.#diverged / this.#compared,
      shadowFailures: this.#shadowFailures,
      examples: [...this.#examples],
    };
  }
}
