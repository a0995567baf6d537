/**
 * Audit retention (issue 17): entries older than the configured age are
 * pruned on a timer; the store keeps an anchor so what remains still verifies.
 */
import type { AuditLog } from "../store/mod.ts";

export interface AuditRetentionOptions {
  maxAgeMs: number;
  intervalMs: number;
  onError?: (error: Error) => void;
}

/** Prunes `log` now and every `intervalMs` until closed. */
export class AuditRetention {
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(log: Pick<AuditLog, "pruneBefore">, options: AuditRetentionOptions) {
    const prune = () => {
      try {
        log.pruneBefore(Date.now() - options.maxAgeMs);
      } catch (error) {
        options.onError?.(error as Error);
      }
    };
    prune();
    this.#timer = setInterval(prune, options.intervalMs);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
