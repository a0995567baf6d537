/**
 * Micro-batching of deliveries per worker: queued in the current task, posted
 * together at the end of it (or at once when a batch is full), so a burst of
 * messages costs one `postMessage` per worker, not one per message.
 */
import type { Delivery } from "./worker_protocol.ts";
import { packDelivery } from "./delivery_codec.ts";
import { postToSlot, type WorkerSlot } from "./worker_slot.ts";

const _MAX_BATCH = 256;

/** Queues deliveries per worker slot and posts them as batches. */
export class DeliveryBatcher {
  /** Delivery batches posted to workers since start. */
  batches = 0;
  /** Deliveries in those batches. */
  posted = 0;

  /** Queues a delivery; the batch goes at the end of the current task or when full. */
  enqueue(slot: WorkerSlot, delivery: Delivery): void {
    slot.queue.push(delivery);
    if (slot.queue.length >= _MAX_BATCH) this.flush(slot);
    else if (!slot.flushScheduled) {
      slot.flushScheduled = true;
      queueMicrotask(() => this.flush(slot));
    }
  }

  /** Posts what is queued for the slot now: control messages must follow it. */
  flush(slot: WorkerSlot): void {
    slot.flushScheduled = false;
    if (slot.queue.length === 0) return;
    const batch = slot.queue;
    slot.queue = [];
    this.batches++;
    this.posted += batch.length;
    let packed = "";
    for (const delivery of batch) packed = packDelivery(packed, delivery);
    postToSlot(slot, { kind: "deliver", packed, count: batch.length });
  }
}
