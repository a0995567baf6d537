/**
 * The run queue of an agent worker, fair between agents. A single FIFO let
 * one agent's storm (thousands of messages to itself or a neighbour here)
 * stand in front of every other agent's deliveries: an echo in the same
 * worker answered after the whole storm. Here each instance has its own
 * FIFO and the instances with work are served one delivery per turn in
 * rotation, so every agent gets an equal share of each chunk the worker
 * handles, and each agent's own deliveries keep their order.
 */
import type { QueuedDelivery } from "./direct_router.ts";

/** One instance's deliveries, in order. */
interface _Fifo {
  instanceId: number;
  items: QueuedDelivery[];
  head: number;
  /** In the rotation. */
  turning: boolean;
}

/** Deliveries waiting in a worker, one FIFO per instance, served round-robin. */
export class RunQueue {
  readonly #fifos = new Map<number, _Fifo>();
  /** Instances with work, in turn order (each at most once). */
  #rotation: _Fifo[] = [];
  #turn = 0;
  size = 0;

  push(item: QueuedDelivery): void {
    let fifo = this.#fifos.get(item.instanceId);
    if (!fifo) {
      fifo = { instanceId: item.instanceId, items: [], head: 0, turning: false };
      this.#fifos.set(item.instanceId, fifo);
    }
    fifo.items.push(item);
    this.size++;
    if (!fifo.turning) {
      fifo.turning = true;
      this.#rotation.push(fifo);
    }
  }

  shift(): QueuedDelivery | undefined {
    while (this.#turn < this.#rotation.length) {
      const fifo = this.#rotation[this.#turn++]!;
      if (fifo.head === fifo.items.length) {
        this.#retire(fifo);
        continue;
      }
      const item = fifo.items[fifo.head]!;
      fifo.items[fifo.head++] = undefined as unknown as QueuedDelivery;
      this.size--;
      if (fifo.head > 1024 && fifo.head * 2 > fifo.items.length) {
        fifo.items.splice(0, fifo.head);
        fifo.head = 0;
      }
      if (fifo.head < fifo.items.length) this.#rotation.push(fifo);
      else this.#retire(fifo);
      this.#compact();
      return item;
    }
    this.#compact();
    return undefined;
  }

  /** Takes an instance's direct deliveries (seq 0) out of the queue, in order. */
  removeDirect(instanceId: number): QueuedDelivery[] {
    const fifo = this.#fifos.get(instanceId);
    if (!fifo) return [];
    const removed: QueuedDelivery[] = [];
    let kept = fifo.head;
    for (let i = fifo.head; i < fifo.items.length; i++) {
      const item = fifo.items[i]!;
      if (item.seq === 0) removed.push(item);
      else fifo.items[kept++] = item;
    }
    fifo.items.length = kept;
    this.size -= removed.length;
    return removed;
  }

  /** Out of the rotation; forgotten, so unloaded instances leave nothing behind. */
  #retire(fifo: _Fifo): void {
    fifo.turning = false;
    fifo.items = [];
    fifo.head = 0;
    this.#fifos.delete(fifo.instanceId);
  }

  #compact(): void {
    if (this.#turn > 1024 && this.#turn * 2 > this.#rotation.length) {
      this.#rotation = this.#rotation.slice(this.#turn);
      this.#turn = 0;
    }
  }
}
