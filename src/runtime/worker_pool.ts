/**
 * Host side of agent hosting: a pool of worker threads (one per core by
 * default), each running many agent instances, plus a dedicated worker per
 * agent that asks for one. Deliveries are micro-batched per worker: queued in
 * the current task, posted together at the end of it. A wall-clock watchdog
 * replaces a worker that stops answering.
 */
import type { AgentLimits, Isolation } from "./limits.ts";
import type {
  Delivery,
  DirectNote,
  DirectTally,
  Effects,
  FromWorker,
  Outcome,
  ToWorker,
} from "./worker_protocol.ts";
import type { SendQuotaSpec } from "./send_quota.ts";
import { TimeSlicer } from "./time_slicer.ts";

/** Raised when an agent instance cannot be created in a worker. */
export class AgentLoadError extends Error {
  readonly code = "agent_load_failed";
  constructor(readonly agent: string, readonly reason: string) {
    super(`Cannot load agent "${agent}": ${reason}`);
    this.name = "AgentLoadError";
  }
}

/** What is needed to create an instance. */
export interface LoadSpec {
  agentName: string;
  module: WebAssembly.Module;
  limits: AgentLimits;
  state: Map<string, Uint8Array>;
  isolation: Isolation;
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
  /** Messages a worker held for an agent and gives back, in order: route them again. */
  onBounced?: (messages: string[]) => void;
  /** Per-agent send quota every worker enforces (`send` returns -2 over it). */
  sendQuota?: SendQuotaSpec;
}

/** How an agent on a worker accepts direct deliveries. */
export interface DirectSpec {
  agent: string;
  capacity: number;
  maxMessageBytes: number;
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

const _MAX_BATCH = 256;

/**
 * How every agent worker is created: agent code must reach nothing but the
 * host functions, so the thread itself gets no file, net, env or run access.
 */
export const AGENT_WORKER_OPTIONS: Readonly<WorkerOptions> = Object.freeze({
  type: "module" as const,
  deno: { permissions: "none" as const },
});

interface _Slot {
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

/** The agent host: places instances on workers and moves messages to them. */
export class WorkerPool {
  readonly #shared: _Slot[] = [];
  readonly #dedicated = new Set<_Slot>();
  readonly #placement = new Map<number, _Slot>();
  readonly #loads = new Map<number, {
    resolve: (effects: Effects) => void;
    reject: (error: Error) => void;
    agent: string;
  }>();
  readonly #options: WorkerPoolOptions;
  readonly #watchdogMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #nextInstanceId = 1;
  #stuck = 0;
  /** Agents whose mailboxes are full; every worker, new ones too, knows the set. */
  readonly #congested = new Set<string>();
  /** Pending ends of direct delivery, by token. */
  readonly #ending = new Map<number, { instanceId: number; resolve: () => void }>();
  #nextToken = 1;
  #observeAll = false;
  /** Deliveries workers made directly between their own agents. */
  #direct = 0;
  #batches = 0;
  #posted = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#watchdogMs = options.watchdogMs ?? 10_000;
    const size = options.size ?? navigator.hardwareConcurrency ?? 1;
    for (let i = 0; i < size; i++) this.#shared.push(this.#spawn(false));
    this.#timer = setInterval(() => this.#watch(), Math.max(50, this.#watchdogMs / 4));
  }

  /** Creates an instance; resolves with what its start and `caxton_init` produced. */
  async load(spec: LoadSpec): Promise<{ instanceId: number; effects: Effects }> {
    if (this.#closed) throw new AgentLoadError(spec.agentName, "the worker pool is closed");
    const slot = spec.isolation === "dedicated" ? this.#spawn(true) : this.#leastLoaded();
    if (slot.dedicated) this.#dedicated.add(slot);
    const instanceId = this.#nextInstanceId++;
    slot.instances.add(instanceId);
    this.#placement.set(instanceId, slot);
    const effects = new Promise<Effects>((resolve, reject) =>
      this.#loads.set(instanceId, { resolve, reject, agent: spec.agentName })
    );
    this.#post(slot, {
      kind: "load",
      instanceId,
      agentName: spec.agentName,
      module: spec.module,
      limits: spec.limits,
      state: [...spec.state],
    });
    try {
      return { instanceId, effects: await effects };
    } catch (error) {
      this.#forget(instanceId);
      throw error;
    }
  }

  /** Queues one message for an instance; its outcome reaches `onOutcome`. */
  deliver(
    instanceId: number,
    seq: number,
    message: string,
    traceparent?: string,
    observe?: boolean,
    timed?: boolean,
  ): boolean {
    const slot = this.#placement.get(instanceId);
    if (!slot) return false;
    const delivery: Delivery = { instanceId, seq, message, traceparent };
    if (observe) delivery.observe = true;
    if (timed) delivery.timed = true;
    slot.queue.push(delivery);
    if (slot.queue.length >= _MAX_BATCH) this.#flush(slot);
    else if (!slot.flushScheduled) {
      slot.flushScheduled = true;
      queueMicrotask(() => this.#flush(slot));
    }
    return true;
  }

  /**
   * Arms direct delivery to an instance on its worker: its neighbours'
   * messages to it are held until {@linkcode go}; `onArmed` says when.
   */
  arm(instanceId: number, spec: DirectSpec): boolean {
    const slot = this.#placement.get(instanceId);
    if (!slot) return false;
    this.#flush(slot);
    slot.worker.postMessage({ kind: "direct", instanceId, ...spec } satisfies ToWorker);
    return true;
  }

  /** Starts direct delivery, after every delivery queued so far for the worker. */
  go(instanceId: number): void {
    const slot = this.#placement.get(instanceId);
    if (!slot) return;
    this.#flush(slot);
    slot.worker.postMessage({ kind: "direct-go", instanceId } satisfies ToWorker);
  }

  /**
   * Ends direct delivery to an instance. Resolves once the worker has handled
   * what it had queued for it; what it held went to `onBounced` before.
   */
  undirect(instanceId: number): Promise<void> {
    const slot = this.#placement.get(instanceId);
    if (!slot || this.#closed) return Promise.resolve();
    const token = this.#nextToken++;
    const ended = new Promise<void>((resolve) => this.#ending.set(token, { instanceId, resolve }));
    this.#flush(slot);
    slot.worker.postMessage({ kind: "undirect", instanceId, token } satisfies ToWorker);
    return ended;
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

  /** Drops an instance; a dedicated worker goes with it. */
  unload(instanceId: number): void {
    const slot = this.#placement.get(instanceId);
    if (!slot) return;
    this.#flush(slot);
    this.#post(slot, { kind: "unload", instanceId });
    this.#forget(instanceId);
  }

  /** Which worker hosts an instance (an index for shared, -1 for dedicated). */
  workerOf(instanceId: number): number | undefined {
    const slot = this.#placement.get(instanceId);
    if (!slot) return undefined;
    return slot.dedicated ? -1 : this.#shared.indexOf(slot);
  }

  status(): PoolStatus {
    return {
      workers: this.#shared.length + this.#dedicated.size,
      instances: this.#placement.size,
      stuckWorkers: this.#stuck,
      directDeliveries: this.#direct,
      batchesPosted: this.#batches,
      deliveriesPosted: this.#posted,
      queued: [...this.#shared, ...this.#dedicated].map((slot) => slot.queued),
    };
  }

  /** Terminates every worker. Callers drain their mailboxes first. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#timer);
    for (const slot of [...this.#shared, ...this.#dedicated]) {
      slot.worker.terminate();
      slot.inbox.close();
    }
    for (const [id, load] of this.#loads) {
      load.reject(new AgentLoadError(load.agent, "the worker pool closed"));
      this.#loads.delete(id);
    }
    for (const ending of this.#ending.values()) ending.resolve();
    this.#ending.clear();
    this.#shared.length = 0;
    this.#dedicated.clear();
    this.#placement.clear();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Posts a control message to every worker, shared and dedicated. */
  #broadcast(message: ToWorker): void {
    for (const slot of [...this.#shared, ...this.#dedicated]) slot.worker.postMessage(message);
  }

  #forget(instanceId: number): void {
    const slot = this.#placement.get(instanceId);
    this.#placement.delete(instanceId);
    if (!slot) return;
    slot.instances.delete(instanceId);
    if (slot.dedicated && slot.instances.size === 0) {
      slot.worker.terminate();
      slot.inbox.close();
      this.#dedicated.delete(slot);
    }
  }

  #leastLoaded(): _Slot {
    let best = this.#shared[0]!;
    for (const slot of this.#shared) if (slot.instances.size < best.instances.size) best = slot;
    return best;
  }

  #spawn(dedicated: boolean): _Slot {
    const worker = new Worker(new URL("./agent_worker.ts", import.meta.url), AGENT_WORKER_OPTIONS);
    const slot: _Slot = {
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
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(slot, event.data);
    const quota = this.#options.sendQuota;
    if (quota) worker.postMessage({ kind: "send-quota", ...quota } satisfies ToWorker);
    if (this.#observeAll) worker.postMessage({ kind: "observe", all: true } satisfies ToWorker);
    if (this.#congested.size > 0) {
      worker.postMessage(
        { kind: "congestion", agents: [...this.#congested], congested: true } satisfies ToWorker,
      );
    }
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#lose(slot, `worker crashed: ${event.message}`, false);
    };
    return slot;
  }

  #post(slot: _Slot, message: ToWorker): void {
    if (slot.outstanding === 0) slot.lastHeardAt = performance.now();
    if (message.kind === "load" || message.kind === "deliver") {
      slot.outstanding += message.kind === "load" ? 1 : message.batch.length;
    }
    slot.worker.postMessage(message);
  }

  #flush(slot: _Slot): void {
    slot.flushScheduled = false;
    if (slot.queue.length === 0) return;
    const batch = slot.queue;
    slot.queue = [];
    this.#batches++;
    this.#posted += batch.length;
    this.#post(slot, { kind: "deliver", batch });
  }

  #receive(slot: _Slot, message: FromWorker): void {
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
  #handled(slot: _Slot, message: FromWorker & { kind: "handled" }): () => boolean {
    let next = 0;
    return () => {
      const batch = message.batch;
      for (; next < batch.length; next++) {
        if ((next & 15) === 15 && slot.inbox.expired) return false;
        const outcome = batch[next]!;
        if (outcome.seq !== 0) slot.outstanding--;
        else this.#direct++;
        this.#options.onOutcome(outcome);
      }
      for (const tally of message.tallies) this.#direct += tally.handled;
      if (message.tallies.length > 0) this.#options.onTallies?.(message.tallies);
      if (message.notes.length > 0) this.#options.onNotes?.(message.notes);
      return true;
    };
  }

  #control(slot: _Slot, message: FromWorker): void {
    switch (message.kind) {
      case "handled":
        break;
      case "direct-armed":
        this.#options.onArmed?.(message.instanceId);
        break;
      case "undirected": {
        if (message.bounced.length > 0) this.#options.onBounced?.(message.bounced);
        const ending = this.#ending.get(message.token);
        this.#ending.delete(message.token);
        ending?.resolve();
        break;
      }
      case "loaded":
      case "load-failed": {
        slot.outstanding--;
        const load = this.#loads.get(message.instanceId);
        this.#loads.delete(message.instanceId);
        if (!load) break;
        if (message.kind === "loaded") load.resolve(message.effects);
        else load.reject(new AgentLoadError(load.agent, message.reason));
        break;
      }
    }
  }

  #watch(): void {
    const now = performance.now();
    for (const slot of [...this.#shared, ...this.#dedicated]) {
      if (slot.outstanding > 0 && now - slot.lastHeardAt > this.#watchdogMs) {
        this.#lose(slot, `worker stopped answering for ${this.#watchdogMs} ms`, true);
      }
    }
  }

  /** Abandons a worker and replaces it; its instances are reported lost. */
  #lose(slot: _Slot, reason: string, stuck: boolean): void {
    if (this.#closed) return;
    // terminate() cannot stop a thread spinning in WASM (Deno 2.9), so a stuck
    // thread may keep a core; count it so /ready can say the node is degraded.
    slot.worker.terminate();
    if (stuck) this.#stuck++;
    const instanceIds = [...slot.instances];
    // What the lost worker held or queued for direct delivery is lost with it.
    for (const [token, ending] of this.#ending) {
      if (slot.instances.has(ending.instanceId)) {
        this.#ending.delete(token);
        ending.resolve();
      }
    }
    for (const id of instanceIds) {
      this.#placement.delete(id);
      const load = this.#loads.get(id);
      if (load) {
        this.#loads.delete(id);
        load.reject(new AgentLoadError(load.agent, reason));
      }
    }
    if (slot.dedicated) this.#dedicated.delete(slot);
    else this.#shared[this.#shared.indexOf(slot)] = this.#spawn(false);
    this.#options.onWorkerLost?.({ instanceIds, reason });
  }
}
