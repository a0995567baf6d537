/**
 * The main thread's side of direct delivery (src/runtime/direct_router.ts):
 * which agents their worker may deliver to directly, and the switch each way
 * without reordering a sender's messages.
 *
 * On: arm the worker (it holds its agents' messages to the agent and posts a
 * marker behind everything it sent before); when the marker arrives, every
 * earlier message is in the agent's mailbox; once the mailbox has handed all
 * of those to the worker, say go. Off: the worker handles what it queued,
 * gives back what it held (routed again, in order), then confirms.
 */
import type { Mailbox } from "../router/mod.ts";
import type { WorkerPool } from "../runtime/mod.ts";

interface _Direct {
  mailbox: Mailbox;
  state: "arming" | "waiting" | "on";
  /** Messages the mailbox had accepted when the marker arrived. */
  before: number;
}

/** Per-instance direct delivery switch. */
export class DirectDelivery {
  readonly #pool: WorkerPool;
  readonly #enabled: boolean;
  readonly #byInstance = new Map<number, _Direct>();

  /** `enabled` false (the node keeps a message log) makes every call a no-op. */
  constructor(pool: WorkerPool, enabled: boolean) {
    this.#pool = pool;
    this.#enabled = enabled;
  }

  /** Turns direct delivery on for a running instance. */
  enable(
    instanceId: number,
    agent: string,
    mailbox: Mailbox,
    maxMessageBytes: number,
  ): void {
    if (!this.#enabled || this.#byInstance.has(instanceId)) return;
    const armed = this.#pool.arm(instanceId, {
      agent,
      capacity: mailbox.capacity,
      maxMessageBytes,
    });
    if (armed) this.#byInstance.set(instanceId, { mailbox, state: "arming", before: 0 });
  }

  /** The worker's marker arrived. */
  onArmed(instanceId: number): void {
    const direct = this.#byInstance.get(instanceId);
    if (!direct || direct.state !== "arming") return;
    direct.state = "waiting";
    direct.before = direct.mailbox.accepted;
    this.check(instanceId);
  }

  /** Says go once the mailbox has handed on everything accepted before the marker. */
  check(instanceId: number): void {
    const direct = this.#byInstance.get(instanceId);
    if (!direct || direct.state !== "waiting" || direct.mailbox.pumped < direct.before) return;
    direct.state = "on";
    this.#pool.go(instanceId);
  }

  /** Turns direct delivery off; resolves when the worker has handled what it queued. */
  disable(instanceId: number | null): Promise<void> {
    if (instanceId === null || !this.#byInstance.delete(instanceId)) return Promise.resolve();
    return this.#pool.undirect(instanceId);
  }

  /** Forgets an instance that is gone (unloaded, or lost with its worker). */
  forget(instanceId: number | null): void {
    if (instanceId !== null) this.#byInstance.delete(instanceId);
  }
}
