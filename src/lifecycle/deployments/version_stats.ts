/** One version's outcomes over an analysis window: failures, traps, handling time, fuel. */
import type { Outcome } from "../../runtime/mod.ts";
import type { VersionFigures } from "./rollout_report.ts";

/** Handling times kept per window; p99 of the most recent ones beyond it. */
const _MAX_SAMPLES = 4_096;

/** Counts what one instance's outcomes say, until {@linkcode reset}. */
export class VersionStats {
  #messages = 0;
  #failures = 0;
  #traps = 0;
  #fuel = 0;
  #durations: number[] = [];

  /** Adds one outcome (timed deliveries carry when handling started and ended). */
  record(outcome: Outcome): void {
    this.#messages++;
    this.#fuel += outcome.fuelUsed;
    if (outcome.failure !== null) this.#failures++;
    if (outcome.trapped) this.#traps++;
    if (outcome.startedAt !== undefined && outcome.endedAt !== undefined) {
      if (this.#durations.length >= _MAX_SAMPLES) this.#durations.shift();
      this.#durations.push(outcome.endedAt - outcome.startedAt);
    }
  }

  get messages(): number {
    return this.#messages;
  }

  figures(): VersionFigures {
    const sorted = this.#durations.toSorted((a, b) => a - b);
    const p99 = sorted.length === 0
      ? 0
      : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
    return {
      messages: this.#messages,
      failures: this.#failures,
      traps: this.#traps,
      failureRate: this.#messages === 0 ? 0 : this.#failures / this.#messages,
      p99Ms: Math.round(p99 * 1000) / 1000,
      fuelPerMessage: this.#messages === 0 ? 0 : Math.round(this.#fuel / this.#messages),
    };
  }

  /** Starts a new window. */
  reset(): void {
    this.#messages = 0;
    this.#failures = 0;
    this.#traps = 0;
    this.#fuel = 0;
    this.#durations = [];
  }
}
