/**
 * The live agents of the node and the moves every command shares: adopt a
 * record, instantiate it, run it, unload it, fail it, and persist each
 * transition. Internal to src/lifecycle; AgentManager is the front.
 */
import { Mailbox, type Router } from "../router/mod.ts";
import type { AgentLimits, Isolation, ModulePreparer, WorkerPool } from "../runtime/mod.ts";
import type { AgentRecord, Store, TransitionCause } from "../store/mod.ts";
import {
  type CaxtonMetrics,
  type Logger,
  SILENT_LOGGER,
  type Telemetry,
} from "../telemetry/mod.ts";
import { TIMER_ONTOLOGY } from "../timers/mod.ts";
import { Activation } from "./activation.ts";
import { PoolScaler, type PoolScaling } from "./pool_scaler.ts";
import { agentEndpoint, instanceSink } from "./agent_endpoint.ts";
import { type AgentState, assertTransition } from "./agent_state.ts";
import { DirectDelivery } from "./direct_delivery.ts";
import { DirectLog } from "./direct_log.ts";
// Records are adopted here as lifecycle/runtime types: the guard that the shapes match.
import "./stored_shapes.ts";
import { AgentEffects, type DirectoryListing, type TimerSink } from "./effects.ts";
import { KeyedLock } from "./keyed_lock.ts";
import type { AgentCounters, LiveAgent } from "./live_agent.ts";
import { ModuleBuilds } from "./module_builds.ts";
import type { NameClaims } from "../router/mod.ts";
import {
  instanceIdsOf,
  type LoadedInstances,
  loadInstances,
  type MemberView,
  memberViews,
  poolSink,
  takeInstances,
} from "./instance_pool.ts";
import { isAgentName } from "./deploy_options.ts";
import { DormantCensus } from "./dormant_census.ts";

/** Raised when no agent has the given name. */
export class AgentNotFoundError extends Error {
  readonly code = "agent_not_found";
  constructor(readonly agent: string) {
    super(`Cannot find agent "${agent}"; list agents to see the names deployed here`);
    this.name = "AgentNotFoundError";
  }
}

/** An agent as the API shows it. */
export interface AgentView extends AgentRecord {
  mailboxDepth: number;
  counters: AgentCounters;
  worker: number | null;
  /** A pooled agent's members (docs/POOLS.md). */
  members?: MemberView[];
}

/** What the manager needs. */
export interface AgentManagerDeps {
  store: Store;
  pool: WorkerPool;
  router: Router;
  preparer: ModulePreparer;
  defaults: AgentLimits;
  logger?: Logger;
  mailboxCapacity?: number;
  /**
   * Let workers deliver directly between their own agents (with the message
   * log on, the pool's `logDirect` must report those deliveries to the manager).
   */
  directDelivery?: boolean;
  /** Spans of deliveries and lifecycle operations (tracing on). */
  telemetry?: Telemetry;
  /** Caxton's instruments (deployments count their stages and steps there). */
  metrics?: CaxtonMetrics;
  /** Distinct receivers one message an agent sends may name (default 64). */
  maxReceivers?: number;
  /** Cluster: where new agent names are claimed cluster-wide (absent standalone). */
  names?: NameClaims;
  /** The capability directory (src/directory), told what each agent declares. */
  directory?: DirectoryListing;
  /** Durable timers (src/timers): what agents set commits with their state. */
  timers?: TimerSink;
  /** An idle agent's instance is passivated after this long; 0 or absent: never (issue 21). */
  passivateAfterMs?: number;
  /** When pools deployed with `instances: {min, max}` grow and shrink (docs/POOLS.md). */
  poolScaling?: PoolScaling;
  /** Most live WASM instances (instance_limit.ts); absent: no limit. */
  maxLiveInstances?: number;
}

/** Every live agent, by name and by instance, with the moves shared by commands and events. */
export class AgentTable {
  readonly deps: AgentManagerDeps;
  readonly log: Logger;
  readonly byName = new Map<string, LiveAgent>();
  readonly byInstance = new Map<number, LiveAgent>();
  /**
   * Agents in the store not adopted yet: a restart adopts none, an agent is
   * adopted on its first touch ({@linkcode find}) — issue 21.
   */
  readonly dormant: DormantCensus;
  /** Agents that took a message since the saturation watch last found them drained. */
  readonly busy = new Set<LiveAgent>();
  readonly builds: ModuleBuilds;
  readonly direct: DirectDelivery;
  /** Direct deliveries a worker accepted and has not yet handled, with the log on. */
  readonly directLog: DirectLog;
  readonly effects: AgentEffects;
  /** Instances made as messages come and given back when idle (issue 21). */
  readonly activation: Activation;
  /** Grows and shrinks the pools deployed with `instances: {min, max}`. */
  readonly scaler: PoolScaler;
  /** Stops the directory's background refill after a restart (directory_refill.ts). */
  stopRefill: () => void = () => {};
  /** Per-agent chain so lifecycle operations on one agent never interleave. */
  readonly #lock = new KeyedLock();

  constructor(deps: AgentManagerDeps) {
    this.deps = deps;
    this.log = deps.logger ?? SILENT_LOGGER;
    this.builds = new ModuleBuilds(deps.store, deps.preparer);
    this.direct = new DirectDelivery(deps.pool, deps.directDelivery ?? false);
    this.directLog = new DirectLog(deps.router);
    this.effects = new AgentEffects(deps.store, deps.router, this.log, {
      maxReceivers: deps.maxReceivers,
      directory: deps.directory,
      timers: deps.timers,
    });
    this.activation = new Activation(this, {
      passivateAfterMs: deps.passivateAfterMs,
      maxLiveInstances: deps.maxLiveInstances,
    });
    this.scaler = new PoolScaler(this, deps.poolScaling);
    const byName = this.byName;
    this.dormant = new DormantCensus(deps.store, function* () {
      for (const live of byName.values()) yield live.record;
    });
    // A message to an agent not adopted yet adopts it (and wakes it, if it runs).
    deps.router.setAdopter((name) => this.find(name) !== undefined);
  }

  /** Runs `fn` once every earlier lifecycle operation on agent `name` is done. */
  locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(name, fn);
  }

  live(name: string): LiveAgent {
    const live = this.find(name);
    if (!live) throw new AgentNotFoundError(name);
    return live;
  }

  /** Agent `name`, adopted from the store on its first touch since the node started. */
  find(name: string): LiveAgent | undefined {
    const live = this.byName.get(name);
    if (live || !isAgentName(name)) return live;
    const record = this.deps.store.agents.byName(name);
    if (!record) return undefined;
    this.dormant.adopted(record);
    const adopted = this.adopt(record);
    // It runs as it did before the restart, without an instance until work comes (no
    // timers.wake as in run: its due timers are the timer service's to fire).
    if (record.state === "running") {
      adopted.accepting = true;
      this.connect(adopted);
    }
    return adopted;
  }

  /** The view of an agent as stored, adopted or not (a listing adopts nothing). */
  viewOf(record: AgentRecord): AgentView {
    const live = this.byName.get(record.name);
    if (live) return this.view(live);
    const counters = { handled: 0, failed: 0, traps: 0, fuelUsed: 0, sent: 0 };
    return { ...record, mailboxDepth: 0, counters, worker: null };
  }

  view(live: LiveAgent): AgentView {
    return {
      ...live.record,
      mailboxDepth: live.mailbox.depth,
      counters: { ...live.counters },
      worker: live.instanceId === null ? null : this.deps.pool.workerOf(live.instanceId) ?? null,
      members: memberViews(live, this.deps.pool),
    };
  }

  /** Takes a record in: its mailbox, and its endpoint on the router. */
  adopt(record: AgentRecord): LiveAgent {
    const live: LiveAgent = {
      record,
      mailbox: new Mailbox(record.name, {
        capacity: this.deps.mailboxCapacity,
        onPressure: (congested) => this.deps.pool.congestion(record.name, congested),
      }),
      module: null,
      instanceId: null,
      members: null,
      accepting: false,
      trapTimes: [],
      counters: { handled: 0, failed: 0, traps: 0, fuelUsed: 0, sent: 0 },
      activating: null,
      seenActivity: 0,
      idleSince: -1,
    };
    this.byName.set(record.name, live);
    this.deps.router.attach(
      record.name,
      agentEndpoint(live, { wake: this.#wake, admit: this.#admit, busy: this.busy }),
    );
    this.deps.directory?.set(record.name, record.capabilityDetails);
    return live;
  }

  /** Forgets an agent whose first deploy failed: nothing was delivered to it, nothing is kept. */
  discard(live: LiveAgent): void {
    this.unload(live);
    this.deps.router.detach(live.record.name);
    this.deps.store.agents.remove(live.record.id);
    this.forget(live);
  }

  /** Drops a removed agent from the indexes. */
  forget(live: LiveAgent): void {
    this.byName.delete(live.record.name);
    this.deps.directory?.remove(live.record.name);
    this.busy.delete(live);
  }

  /** Instantiates a Loaded agent; a failure leaves it Failed with the reason. */
  async loadDeployed(live: LiveAgent, start: boolean): Promise<AgentView> {
    try {
      await this.instantiate(live);
    } catch (error) {
      this.fail(live, (error as Error).message);
      throw error;
    }
    if (start) this.run(live);
    return this.view(live);
  }

  newVersion(
    live: LiveAgent,
    hash: string,
    limits: AgentLimits,
    isolation: Isolation,
    language: string,
  ): void {
    const store = this.deps.store;
    const version = live.record.version + 1;
    const updatedAt = store.transaction(() => {
      store.agents.setLimits(live.record.id, limits);
      return store.agents.addVersion(live.record.id, version, hash, language);
    });
    live.record = {
      ...live.record,
      version,
      moduleHash: hash,
      language,
      limits,
      isolation,
      updatedAt,
    };
  }

  async instantiate(live: LiveAgent): Promise<void> {
    live.module ??= await this.builds.forAgent(live.record);
    const loaded = await this.startInstance(
      live,
      live.module,
      live.record.limits,
      live.record.isolation,
    );
    takeInstances(this, live, loaded);
  }

  /** Loads the instance (or a pool's members) `live` would run; `takeInstances` installs them. */
  startInstance(
    live: LiveAgent,
    module: WebAssembly.Module,
    limits: AgentLimits,
    isolation: Isolation,
  ): Promise<LoadedInstances> {
    return loadInstances(this, live, module, limits, isolation);
  }

  run(live: LiveAgent): void {
    if (live.record.state !== "running") this.transition(live, "running", "started");
    live.accepting = true;
    live.trapTimes = [];
    this.connect(live);
    // Its timers that came due while it was not running fire now.
    this.deps.timers?.wake();
  }

  /** A message reached a running agent without an instance: activate it (messages queue). */
  readonly #wake = (live: LiveAgent) => void this.activation.activate(live);
  readonly #admit = (live: LiveAgent, message: { sender?: string; ontology?: string }) =>
    // A timer firing has no one to be refused to: it is let over the limit (inside its margin).
    this.activation.admit(live, message.sender === "caxton" && message.ontology === TIMER_ONTOLOGY);

  /**
   * Gives a running or draining agent an instance if it has none (called under
   * its lock, e.g. before a stop waits for its mailbox to drain).
   */
  async ensureInstance(live: LiveAgent): Promise<void> {
    if (live.instanceId !== null) return;
    await this.instantiate(live);
    this.connect(live);
  }

  /**
   * Hands the mailbox to the instance; its worker may then deliver to it
   * directly. Without an instance (passivated), messages wait and wake it.
   */
  connect(live: LiveAgent): void {
    if (live.instanceId === null) {
      live.mailbox.connect(null);
      if (live.mailbox.depth > 0) this.#wake(live);
      return;
    }
    const { pool, telemetry } = this.deps;
    live.mailbox.connect(
      live.members ? poolSink(live, pool, telemetry) : instanceSink(live, pool, telemetry),
    );
    // A pool's members take turns: direct delivery to one of them is not offered.
    if (live.record.state === "running" && live.members === null) {
      this.direct.enable(
        live.instanceId,
        live.record.name,
        live.mailbox,
        live.record.limits.maxMessageBytes,
      );
    }
  }

  unload(live: LiveAgent): void {
    live.mailbox.connect(null);
    // The worker gives back what it queued or held for direct delivery (onBounced).
    for (const id of instanceIdsOf(live)) {
      this.direct.forget(id);
      this.byInstance.delete(id);
      this.deps.pool.unload(id);
    }
    live.instanceId = null;
    live.members = null;
  }

  fail(live: LiveAgent, reason: string): void {
    live.accepting = false;
    void this.direct.disable(live.instanceId);
    if (live.record.state !== "failed") this.transition(live, "failed", reason);
    this.unload(live);
    this.failAll(live, `agent "${live.record.name}" failed: ${reason}`);
  }

  failAll(live: LiveAgent, reason: string): void {
    for (const envelope of live.mailbox.takeAll()) {
      this.deps.router.complete(envelope, reason);
      this.deps.router.fail(envelope.message, live.record.name, "agent_unavailable", reason);
    }
  }

  /** Persists a move with its readable reason and, where code reads it back, its cause as data. */
  transition(
    live: LiveAgent,
    to: AgentState,
    reason: string,
    cause: TransitionCause | null = null,
  ): void {
    assertTransition(live.record.name, live.record.state, to);
    const updatedAt = this.deps.store.agents.recordTransition(live.record, to, reason, cause);
    live.record = {
      ...live.record,
      state: to,
      failure: to === "failed" ? reason : null,
      updatedAt,
    };
  }
}
