/**
 * Wall-clock watchdog: a worker with loads or deliveries outstanding that has
 * posted nothing for `watchdogMs` is declared stuck, so the pool can replace it.
 */
import type { WorkerSlot } from "./worker_slot.ts";

/** Checks the slots a few times per `watchdogMs` and reports stuck ones. */
export class WorkerWatchdog {
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    watchdogMs: number,
    slots: () => WorkerSlot[],
    onStuck: (slot: WorkerSlot, reason: string) => void,
  ) {
    this.#timer = setInterval(() => {
      const now = performance.now();
      for (const slot of slots()) {
        if (slot.outstanding > 0 && now - slot.lastHeardAt > watchdogMs) {
          onStuck(slot, `worker stopped answering for ${watchdogMs} ms`);
        }
      }
    }, Math.max(50, watchdogMs / 4));
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
