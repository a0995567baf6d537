/**
 * One agent worker as the pool sees it: the thread, the instances placed on
 * it, the deliveries queued for its next batch and the figures the watchdog
 * reads. Creating one applies the permission-less worker options.
 */
import type { Delivery, FromWorker, ToWorker } from "./worker_protocol.ts";
import { TimeSlicer } from "./time_slicer.ts";
import { priorityWorkerOptions } from "./worker_priority.ts";

/**
 * How every agent worker is created: agent code must reach nothing but the
 * host functions, so the thread itself gets no file, net, env or run access.
 */
export const AGENT_WORKER_OPTIONS: Readonly<WorkerOptions> = Object.freeze({
  type: "module" as const,
  deno: { permissions: "none" as const },
});

/** A worker thread and the pool's bookkeeping about it. */
export interface WorkerSlot {
  worker: Worker;
  dedicated: boolean;
  instances: Set<number>;
  queue: Delivery[];
  /** Deliveries and loads posted and not yet answered. */
  outstanding: number;
  lastHeardAt: number;
  flushScheduled: boolean;
  /** Direct deliveries the worker said were waiting in its run queue. */
  queued: number;
  /** What the worker posted, handled in order with bounded work per task. */
  inbox: TimeSlicer;
}

/**
 * Starts an agent worker; `onMessage` and `onCrash` receive what it posts or
 * throws. Its first message sets its thread's nice value (worker_priority.ts).
 */
export function spawnSlot(
  dedicated: boolean,
  handlers: {
    onMessage: (slot: WorkerSlot, message: FromWorker) => void;
    onCrash: (slot: WorkerSlot, reason: string) => void;
  },
  nice = 0,
): WorkerSlot {
  const worker = new Worker(
    new URL("./agent_worker.ts", import.meta.url),
    priorityWorkerOptions(AGENT_WORKER_OPTIONS, nice),
  );
  worker.postMessage({ kind: "priority", nice } satisfies ToWorker);
  const slot: WorkerSlot = {
    worker,
    dedicated,
    instances: new Set(),
    queue: [],
    outstanding: 0,
    lastHeardAt: performance.now(),
    flushScheduled: false,
    queued: 0,
    inbox: new TimeSlicer(),
  };
  worker.onmessage = (event: MessageEvent<FromWorker>) => handlers.onMessage(slot, event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    handlers.onCrash(slot, `worker crashed: ${event.message}`);
  };
  return slot;
}

/** Posts to a worker, counting loads and deliveries as awaiting an answer (the watchdog's clock). */
export function postToSlot(slot: WorkerSlot, message: ToWorker): void {
  if (slot.outstanding === 0) slot.lastHeardAt = performance.now();
  if (message.kind === "load" || message.kind === "deliver") {
    slot.outstanding += message.kind === "load" ? 1 : message.count;
  }
  slot.worker.postMessage(message);
}

/** Stops a worker thread and its inbox. */
export function terminateSlot(slot: WorkerSlot): void {
  slot.worker.terminate();
  slot.inbox.close();
}
