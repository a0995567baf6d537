/**
 * Circuit breakers (issue 17) around calls to things outside the node:
 * webhooks of outside participants and MCP tool servers. Closed: calls go
 * through and failures are counted; `failureThreshold` failures in a row open
 * it. Open: calls fail at once (`circuit_open`) for `coolDownMs`. Then
 * half-open: one trial call goes through; its success closes the breaker, its
 * failure opens it again.
 */

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
}

/** What /metrics and /ready show of a breaker. */
export interface BreakerView {
  name: string;
  state: BreakerState;
  consecutiveFailures: number;
  /** Times it opened. */
  opened: number;
  /** Calls refused while open. */
  rejected: number;
}

/** One breaker. */
export class CircuitBreaker {
  readonly name: string;
  readonly #options: BreakerOptions;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trial = false;
  #opened = 0;
  #rejected = 0;

  constructor(name: string, options: BreakerOptions) {
    this.name = name;
    this.#options = options;
  }

  get state(): BreakerState {
    if (this.#state === "open" && Date.now() - this.#openedAt >= this.#options.coolDownMs) {
      this.#state = "half_open";
      this.#trial = false;
    }
    return this.#state;
  }

  /** Whether a call may go now; false means fail it at once with `circuit_open`. */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "half_open" && !this.#trial) {
      this.#trial = true;
      return true;
    }
    this.#rejected++;
    return false;
  }

  /** The call that was allowed succeeded. */
  succeeded(): void {
    this.#failures = 0;
    this.#state = "closed";
    this.#trial = false;
  }

  /** The call that was allowed failed. */
  failed(): void {
    this.#failures++;
    if (this.#state === "half_open" || this.#failures >= this.#options.failureThreshold) {
      if (this.#state !== "open") this.#opened++;
      this.#state = "open";
      this.#openedAt = Date.now();
      this.#trial = false;
    }
  }

  /** Seconds until an open breaker lets a trial through (0 when not open). */
  get retryInMs(): number {
    return this.state === "open"
      ? Math.max(0, this.#openedAt + this.#options.coolDownMs - Date.now())
      : 0;
  }

  view(): BreakerView {
    return {
      name: this.name,
      state: this.state,
      consecutiveFailures: this.#failures,
      opened: this.#opened,
      rejected: this.#rejected,
    };
  }
}

/** The node's breakers by name (`webhook:ext:<name>`, `mcp:<server>`), made on first use. */
export class BreakerBoard {
  readonly #options: BreakerOptions;
  readonly #breakers = new Map<string, CircuitBreaker>();

  constructor(options: BreakerOptions) {
    this.#options = options;
  }

  breaker(name: string): CircuitBreaker {
    let b = this.#breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(name, this.#options);
      this.#breakers.set(name, b);
    }
    return b;
  }

  /** Forgets a breaker whose target is gone (a removed participant). */
  remove(name: string): void {
    this.#breakers.delete(name);
  }

  views(): BreakerView[] {
    return [...this.#breakers.values()].map((b) => b.view());
  }
}
