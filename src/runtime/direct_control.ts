/**
 * The pool's side of direct delivery (workers handing messages between their
 * own agents): arming an instance, starting it, and ending it with a token the
 * worker answers once it has handled what it held.
 */
import type { ToWorker } from "./worker_protocol.ts";
import type { WorkerSlot } from "./worker_slot.ts";

/** How an agent on a worker accepts direct deliveries. */
export interface DirectSpec {
  agent: string;
  capacity: number;
  maxMessageBytes: number;
}

/** Sends direct-delivery control to workers and tracks pending ends. */
export class DirectControl {
  /** Pending ends of direct delivery, by token. */
  readonly #ending = new Map<number, { instanceId: number; resolve: () => void }>();
  #nextToken = 1;
  /** Posts what is queued for a slot: control must follow earlier deliveries. */
  readonly #flush: (slot: WorkerSlot) => void;

  constructor(flush: (slot: WorkerSlot) => void) {
    this.#flush = flush;
  }

  arm(slot: WorkerSlot, instanceId: number, spec: DirectSpec): void {
    this.#flush(slot);
    slot.worker.postMessage({ kind: "direct", instanceId, ...spec } satisfies ToWorker);
  }

  go(slot: WorkerSlot, instanceId: number): void {
    this.#flush(slot);
    slot.worker.postMessage({ kind: "direct-go", instanceId } satisfies ToWorker);
  }

  /** Resolves when the worker answers `undirected` with this end's token. */
  undirect(slot: WorkerSlot, instanceId: number): Promise<void> {
    const token = this.#nextToken++;
    const ended = new Promise<void>((resolve) => this.#ending.set(token, { instanceId, resolve }));
    this.#flush(slot);
    slot.worker.postMessage({ kind: "undirect", instanceId, token } satisfies ToWorker);
    return ended;
  }

  /** The worker's answer to an end. */
  ended(token: number): void {
    const ending = this.#ending.get(token);
    this.#ending.delete(token);
    ending?.resolve();
  }

  /** A lost worker's instances: what it held is lost with it, their ends resolve now. */
  lost(instances: Set<number>): void {
    for (const [token, ending] of this.#ending) {
      if (instances.has(ending.instanceId)) {
        this.#ending.delete(token);
        ending.resolve();
      }
    }
  }

  /** Resolves every pending end (the pool closes). */
  close(): void {
    for (const ending of this.#ending.values()) ending.resolve();
    this.#ending.clear();
  }
}
