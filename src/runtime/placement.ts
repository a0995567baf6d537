/**
 * Where instances live: the shared workers (least-loaded placement), the
 * dedicated ones (one agent each), and which worker hosts each instance.
 */
import type { WorkerSlot } from "./worker_slot.ts";

/** The pool's workers and the instance → worker map. */
export class Placement {
  readonly shared: WorkerSlot[] = [];
  readonly dedicated = new Set<WorkerSlot>();
  readonly #byInstance = new Map<number, WorkerSlot>();

  /** Every worker, shared first (by index), then dedicated. */
  all(): WorkerSlot[] {
    return [...this.shared, ...this.dedicated];
  }

  get instances(): number {
    return this.#byInstance.size;
  }

  slotOf(instanceId: number): WorkerSlot | undefined {
    return this.#byInstance.get(instanceId);
  }

  /** The shared worker with the fewest instances. */
  leastLoaded(): WorkerSlot {
    let best = this.shared[0]!;
    for (const slot of this.shared) if (slot.instances.size < best.instances.size) best = slot;
    return best;
  }

  place(instanceId: number, slot: WorkerSlot): void {
    if (slot.dedicated) this.dedicated.add(slot);
    slot.instances.add(instanceId);
    this.#byInstance.set(instanceId, slot);
  }

  /**
   * Removes an instance; returns its slot when that was a dedicated worker
   * left empty (the caller terminates it).
   */
  remove(instanceId: number): WorkerSlot | undefined {
    const slot = this.#byInstance.get(instanceId);
    this.#byInstance.delete(instanceId);
    if (!slot) return undefined;
    slot.instances.delete(instanceId);
    if (slot.dedicated && slot.instances.size === 0) {
      this.dedicated.delete(slot);
      return slot;
    }
    return undefined;
  }

  /** Drops a lost worker's instances (the worker itself is replaced by the caller). */
  dropInstancesOf(slot: WorkerSlot): void {
    for (const id of slot.instances) this.#byInstance.delete(id);
  }

  /** Which worker hosts an instance (an index for shared, -1 for dedicated). */
  workerOf(instanceId: number): number | undefined {
    const slot = this.#byInstance.get(instanceId);
    if (!slot) return undefined;
    return slot.dedicated ? -1 : this.shared.indexOf(slot);
  }

  clear(): void {
    this.shared.length = 0;
    this.dedicated.clear();
    this.#byInstance.clear();
  }
}
