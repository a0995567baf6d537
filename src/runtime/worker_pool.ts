/**
 * Host side of agent hosting: a pool of worker threads (one per core by
 * default), each running many agent instances, plus a dedicated worker per
 * agent that asks for one. The pool is the front; its parts live beside it:
 * placement ({@linkcode Placement}), micro-batching ({@linkcode DeliveryBatcher}),
 * load replies ({@linkcode PendingLoads}), direct-delivery control
 * ({@linkcode DirectControl}) and the watchdog ({@linkcode WorkerWatchdog}).
 */
import { DeliveryBatcher } from "./delivery_batcher.ts";
import { DirectControl, type DirectSpec } from "./direct_control.ts";
import type { AgentLimits, Isolation } from "../config/mod.ts";
import { AgentLoadError, PendingLoads } from "./pending_loads.ts";
import { Placement } from "./placement.ts";
import type {
  Delivery,
  DirectNote,
  DirectTally,
  Effects,
  FromWorker,
  Outcome,
  StateChange,
  ToWorker,
} from "./worker_protocol.ts";
import type { SendQuotaSpec } from "./send_quota.ts";
import { WorkerWatchdog } from "./worker_watchdog.ts";
import { unpackOutcomes } from "./delivery_codec.ts";
import { postToSlot, spawnSlot, terminateSlot, type WorkerSlot } from "./worker_slot.ts";

export { AgentLoadError } from "./pending_loads.ts";
export type { DirectSpec } from "./direct_control.ts";
export { AGENT_WORKER_OPTIONS } from "./worker_slot.ts";

/** What is needed to create an instance. */
export interface LoadSpec {
  agentName: string;
  module: WebAssembly.Module;
  limits: AgentLimits;
  state: Map<string, Uint8Array>;
  isolation: Isolation;
  /** A pool member: state writes and timers are refused (docs/POOLS.md). */
  stateless?: boolean;
  /** Place on this shared worker (by index, modulo their number) instead of the least loaded. */
  worker?: number;
  /** Outcomes carry the memory size (a deployment's sandbox checks it against the limit). */
  watchMemory?: boolean;
}

/** How one message is delivered, besides the instance and its text. */
export interface DeliverOptions {
  /** The mailbox's sequence number, carried back in the outcome. */
  seq: number;
  /** The message's traceparent: what the agent sends while handling it continues the trace. */
  traceparent?: string;
  /** The message names an interaction protocol: the worker reports its conversation's direct messages. */
  observe?: boolean;
  /** The main thread traces this delivery: the outcome carries when handling started and ended. */
  timed?: boolean;
}

/** A worker that stopped answering and was replaced. */
export interface WorkerLoss {
  /** Instances that lived on it; they are gone and must be loaded again. */
  instanceIds: number[];
  reason: string;
}

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Shared workers; default one per core. */
  size?: number;
  /** A busy worker silent this long is declared stuck. */
  watchdogMs?: number;
  /** Receives every delivery outcome. */
  onOutcome: (outcome: Outcome) => void;
  /** Told when a worker was lost with its instances. */
  onWorkerLost?: (loss: WorkerLoss) => void;
  /** Counts of direct deliveries that produced nothing else. */
  onTallies?: (tallies: DirectTally[]) => void;
  /** Direct messages the main thread must see (observers, reply-by). */
  onNotes?: (notes: DirectNote[]) => void;
  /** A worker is armed for direct delivery to the instance (its marker arrived). */
  onArmed?: (instanceId: number) => void;
  /**
   * Messages a worker held for an agent (instance `instanceId`) and gives back, in order: route
   * them again. `refs`: each one's number if it was logged as a direct delivery, else 0.
   */
  onBounced?: (messages: string[], instanceId: number, refs: number[]) => void;
  /**
   * The node keeps a message log: workers report their direct deliveries (`DirectLogReport`)
   * to these, accepted ones before the outcomes posted with them, done ones after.
   */
  logDirect?: {
    opened: (packed: string) => void;
    done: (pairs: number[]) => void;
  };
  /** The node traces and workers name the spans of traced hops (`Telemetry.spansFromWorkers`). */
  traceDirect?: boolean;
  /** Per-agent send quota every worker enforces (`send` returns -2 over it). */
  sendQuota?: SendQuotaSpec;
  /** Nice levels worker threads run below the main thread (worker_priority.ts); default 0. */
  nice?: number;
}

/** Health figures of the pool. */
export interface PoolStatus {
  workers: number;
  instances: number;
  /** Workers abandoned because they stopped answering (their threads may still spin). */
  stuckWorkers: number;
  /** Messages workers delivered directly between their own agents, since start. */
  directDeliveries: number;
  /** Delivery batches posted to workers, and the deliveries in them, since start. */
  batchesPosted: number;
  deliveriesPosted: number;
  /**
   * Per worker (shared by index, then dedicated): deliveries waiting in its
   * run queue, as it last reported (their mailboxes hold the rest).
   */
  queued: number[];
}

/** The agent host: places instances on workers and moves messages to them. */
export class WorkerPool {
  readonly #placement = new Placement();
  readonly #batcher = new DeliveryBatcher();
  readonly #loads = new PendingLoads();
  readonly #directControl = new DirectControl((slot) => this.#batcher.flush(slot));
  readonly #options: WorkerPoolOptions;
  readonly #watchdog: WorkerWatchdog;
  #nextInstanceId = 1;
  #stuck = 0;
  /** Agents whose mailboxes are full; every worker, new ones too, knows the set. */
  readonly #congested = new Set<string>();
  #observeAll = false;
  /** Deliveries workers made directly between their own agents. */
  #direct = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    const size = options.size ?? navigator.hardwareConcurrency ?? 1;
    for (let i = 0; i < size; i++) this.#placement.shared.push(this.#spawn(false));
    this.#watchdog = new WorkerWatchdog(
      options.watchdogMs ?? 10_000,
      () => this.#placement.all(),
      (slot, reason) => this.#lose(slot, reason, true),
    );
  }

  /** Creates an instance; resolves with what its start and `caxton_init` produced. */
  async load(spec: LoadSpec): Promise<{ instanceId: number; effects: Effects }> {
    if (this.#closed) throw new AgentLoadError(spec.agentName, "the worker pool is closed");
    const slot = spec.isolation === "dedicated"
      ? this.#spawn(true)
      : spec.worker === undefined
      ? this.#placement.leastLoaded()
      : this.#placement.shared[spec.worker % this.#placement.shared.length]!;
    const instanceId = this.#nextInstanceId++;
    this.#placement.place(instanceId, slot);
    const effects = this.#loads.expect(instanceId, spec.agentName);
    postToSlot(slot, {
      kind: "load",
      instanceId,
      agentName: spec.agentName,
      module: spec.module,
      limits: spec.limits,
      state: [...spec.state],
      ...(spec.stateless ? { stateless: true } : {}),
      ...(spec.watchMemory ? { watchMemory: true } : {}),
    });
    try {
      return { instanceId, effects: await effects };
    } catch (error) {
      this.#forget(instanceId);
      throw error;
    }
  }

  /** Queues one message for an instance; its outcome reaches `onOutcome`. */
  deliver(instanceId: number, message: string, options: DeliverOptions): boolean {
    const slot = this.#placement.slotOf(instanceId);
    if (!slot) return false;
    const delivery: Delivery = {
      instanceId,
      seq: options.seq,
      message,
      traceparent: options.traceparent,
    };
    if (options.observe) delivery.observe = true;
    if (options.timed) delivery.timed = true;
    this.#batcher.enqueue(slot, delivery);
    return true;
  }

  /**
   * Arms direct delivery to an instance on its worker: its neighbours'
   * messages to it are held until {@linkcode go}; `onArmed` says when.
   */
  arm(instanceId: number, spec: DirectSpec): boolean {
    const slot = this.#placement.slotOf(instanceId);
    if (!slot) return false;
    this.#directControl.arm(slot, instanceId, spec);
    return true;
  }

  /** Starts direct delivery, after every delivery queued so far for the worker. */
  go(instanceId: number): void {
    const slot = this.#placement.slotOf(instanceId);
    if (slot) this.#directControl.go(slot, instanceId);
  }

  /**
   * Ends direct delivery to an instance. Resolves once the worker has handled
   * what it had queued for it; what it held went to `onBounced` before.
   */
  undirect(instanceId: number): Promise<void> {
    const slot = this.#placement.slotOf(instanceId);
    if (!slot || this.#closed) return Promise.resolve();
    return this.#directControl.undirect(slot, instanceId);
  }

  /** Asks every worker to report all direct messages (for taps), or only those needed. */
  observe(all: boolean): void {
    this.#observeAll = all;
    this.#broadcast({ kind: "observe", all });
  }

  /** Tells every worker that `agent`'s mailbox is full, or no longer. */
  congestion(agent: string, congested: boolean): void {
    if (congested) this.#congested.add(agent);
    else this.#congested.delete(agent);
    this.#broadcast({ kind: "congestion", agents: [agent], congested });
  }

  /** Writes `changes` into an instance's state cache, before any delivery queued after this call. */
  patchState(instanceId: number, changes: StateChange[]): void {
    const slot = this.#placement.slotOf(instanceId);
    if (!slot || changes.length === 0) return;
    this.#batcher.flush(slot);
    postToSlot(slot, { kind: "state-patch", instanceId, changes });
  }

  /** Drops an instance; a dedicated worker goes with it. */
  unload(instanceId: number): void {
    const slot = this.#placement.slotOf(instanceId);
    if (!slot) return;
    this.#batcher.flush(slot);
    postToSlot(slot, { kind: "unload", instanceId });
    this.#forget(instanceId);
  }

  /** Which worker hosts an instance (an index for shared, -1 for dedicated). */
  workerOf(instanceId: number): number | undefined {
    return this.#placement.workerOf(instanceId);
  }

  status(): PoolStatus {
    const slots = this.#placement.all();
    return {
      workers: slots.length,
      instances: this.#placement.instances,
      stuckWorkers: this.#stuck,
      directDeliveries: this.#direct,
      batchesPosted: this.#batcher.batches,
      deliveriesPosted: this.#batcher.posted,
      queued: slots.map((slot) => slot.queued),
    };
  }

  /** Terminates every worker. Callers drain their mailboxes first. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#watchdog.close();
    for (const slot of this.#placement.all()) terminateSlot(slot);
    this.#loads.failAll("the worker pool closed");
    this.#directControl.close();
    this.#placement.clear();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Posts a control message to every worker, shared and dedicated. */
  #broadcast(message: ToWorker): void {
    for (const slot of this.#placement.all()) slot.worker.postMessage(message);
  }

  #forget(instanceId: number): void {
    const emptied = this.#placement.remove(instanceId);
    if (emptied) terminateSlot(emptied);
  }

  /** A new worker, told the pool-wide settings (send quota, observe, congestion). */
  #spawn(dedicated: boolean): WorkerSlot {
    const slot = spawnSlot(dedicated, {
      onMessage: (slot, message) => this.#receive(slot, message),
      onCrash: (slot, reason) => this.#lose(slot, reason, false),
    }, this.#options.nice);
    const worker = slot.worker;
    const quota = this.#options.sendQuota;
    if (quota) worker.postMessage({ kind: "send-quota", ...quota } satisfies ToWorker);
    if (this.#options.logDirect) worker.postMessage({ kind: "log-direct" } satisfies ToWorker);
    if (this.#options.traceDirect) worker.postMessage({ kind: "trace-direct" } satisfies ToWorker);
    if (this.#observeAll) worker.postMessage({ kind: "observe", all: true } satisfies ToWorker);
    if (this.#congested.size > 0) {
      worker.postMessage(
        { kind: "congestion", agents: [...this.#congested], congested: true } satisfies ToWorker,
      );
    }
    return slot;
  }

  #receive(slot: WorkerSlot, message: FromWorker): void {
    slot.lastHeardAt = performance.now();
    if (message.kind === "handled") slot.queued = message.queued;
    // In order with what the worker posted before, a bounded slice of work per task.
    slot.inbox.run(
      message.kind === "handled" ? this.#handled(slot, message) : () => {
        this.#control(slot, message);
        return true;
      },
    );
  }

  /** A batch of outcomes as a sliced task: routing their sends can be long. */
  #handled(slot: WorkerSlot, message: FromWorker & { kind: "handled" }): () => boolean {
    let next = 0;
    let batch: Outcome[] | undefined;
    return () => {
      if (!batch) {
        // Logged before the outcomes: a sender's handled mark never commits before what it sent.
        if (message.opened !== "") this.#options.logDirect?.opened(message.opened);
        batch = unpackOutcomes(message.packed, message.rest);
      }
      for (; next < batch.length; next++) {
        if ((next & 15) === 15 && slot.inbox.expired) return false;
        const outcome = batch[next]!;
        if (outcome.seq !== 0) slot.outstanding--;
        else this.#direct++;
        this.#options.onOutcome(outcome);
      }
      if (message.done.length > 0) this.#options.logDirect?.done(message.done);
      for (const tally of message.tallies) this.#direct += tally.handled;
      if (message.tallies.length > 0) this.#options.onTallies?.(message.tallies);
      if (message.notes.length > 0) this.#options.onNotes?.(message.notes);
      return true;
    };
  }

  #control(slot: WorkerSlot, message: FromWorker): void {
    switch (message.kind) {
      case "handled":
        break;
      case "direct-armed":
        this.#options.onArmed?.(message.instanceId);
        break;
      case "undirected":
        if (message.bounced.length > 0) {
          this.#options.onBounced?.(message.bounced, message.instanceId, message.refs);
        }
        this.#directControl.ended(message.token);
        break;
      case "loaded":
        slot.outstanding--;
        this.#loads.loaded(message.instanceId, message.effects);
        break;
      case "load-failed":
        slot.outstanding--;
        this.#loads.fail(message.instanceId, message.reason);
        break;
    }
  }

  /** Abandons a worker and replaces it; its instances are reported lost. */
  #lose(slot: WorkerSlot, reason: string, stuck: boolean): void {
    if (this.#closed) return;
    // terminate() cannot stop a thread spinning in WASM (Deno 2.9), so a stuck
    // thread may keep a core; count it so /ready can say the node is degraded.
    slot.worker.terminate();
    if (stuck) this.#stuck++;
    const instanceIds = [...slot.instances];
    // What the lost worker held or queued for direct delivery is lost with it.
    this.#directControl.lost(slot.instances);
    this.#placement.dropInstancesOf(slot);
    for (const id of instanceIds) this.#loads.fail(id, reason);
    if (slot.dedicated) this.#placement.dedicated.delete(slot);
    else {
      const shared = this.#placement.shared;
      shared[shared.indexOf(slot)] = this.#spawn(false);
    }
    this.#options.onWorkerLost?.({ instanceIds, reason });
  }
}
