/**
 * Deployments and the lifecycle of every agent on this node: deploy, start,
 * stop, hot reload, remove, recovery after a restart, and what happens when
 * agent code traps or a worker stops answering. Every transition is persisted.
 */
import { type Envelope, Mailbox, MessageTooLargeError, type Router } from "../router/mod.ts";
import {
  type AgentLimits,
  type DirectNote,
  type DirectTally,
  type Isolation,
  type ModulePreparer,
  type Outcome,
  resolveLimits,
  type WorkerLoss,
  type WorkerPool,
} from "../runtime/mod.ts";
import type { AgentRecord, Store, ToolLimits } from "../store/mod.ts";
import { type Logger, SILENT_LOGGER, type Telemetry } from "../telemetry/mod.ts";
import { type AgentState, assertTransition } from "./agent_state.ts";
import {
  declaredCapabilities,
  type DeployOptions,
  InvalidDeploymentError,
  validateDeployment,
} from "./deploy_options.ts";
import { DirectDelivery } from "./direct_delivery.ts";
import type { NameClaims } from "./name_claims.ts";
import { AgentEffects, parseReported } from "./effects.ts";
import type { AgentCounters, LiveAgent } from "./live_agent.ts";

export type { AgentCounters };
import { ModuleBuilds } from "./module_builds.ts";

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
   * Let workers deliver directly between their own agents (the node keeps no
   * message log: a direct delivery is never written to one).
   */
  directDelivery?: boolean;
  /** Spans of deliveries and lifecycle operations (tracing on). */
  telemetry?: Telemetry;
  /** Distinct receivers one message an agent sends may name (default 64). */
  maxReceivers?: number;
  /** Cluster: where new agent names are claimed cluster-wide (absent standalone). */
  names?: NameClaims;
}

const _utf8 = new TextEncoder();
const _RELOAD = "reload";

/** Owns every agent of the node. Build it in main.ts; wire the pool's callbacks to it. */
export class AgentManager {
  readonly #deps: AgentManagerDeps;
  readonly #log: Logger;
  readonly #byName = new Map<string, LiveAgent>();
  readonly #byInstance = new Map<number, LiveAgent>();
  readonly #builds: ModuleBuilds;
  readonly #direct: DirectDelivery;
  readonly #effects: AgentEffects;
  /** Per-agent chain so lifecycle operations on one agent never interleave. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(deps: AgentManagerDeps) {
    this.#deps = deps;
    this.#log = deps.logger ?? SILENT_LOGGER;
    this.#builds = new ModuleBuilds(deps.store, deps.preparer);
    this.#direct = new DirectDelivery(deps.pool, deps.directDelivery ?? false);
    this.#effects = new AgentEffects(deps.store, deps.router, this.#log, {
      maxReceivers: deps.maxReceivers,
    });
  }

  /** Deploys a module as agent `name`: a new agent, a new version, or a hot reload. */
  async deploy(name: string, bytes: Uint8Array, options: DeployOptions = {}): Promise<AgentView> {
    validateDeployment(name, options);
    return await this.#traced("deploy", name, () =>
      this.#locked(name, async () => {
        // Cluster: a new name is claimed cluster-wide first, and given back if the deploy fails.
        const claims = this.#byName.has(name) ? undefined : this.#deps.names;
        await claims?.claim(name);
        const view = await this.#deploy(name, bytes, options).catch(async (error) => {
          await claims?.release(name).catch(() => {});
          throw error;
        });
        if (!options.capabilities?.length) return view;
        const live = this.#live(name);
        this.#effects.apply(live, {
          sends: [],
          stateChanges: [],
          logs: [],
          capabilities: declaredCapabilities(options),
          fuelUsed: 0,
        });
        return this.#view(live);
      }));
  }

  /**
   * What agent `name` may do with MCP tools: its grants ("server/tool" or
   * "server/*") and its own limits, or undefined when no agent has that name.
   */
  toolPolicy(name: string): { tools: readonly string[]; limits: ToolLimits } | undefined {
    const record = this.#byName.get(name)?.record;
    return record && { tools: record.tools, limits: record.toolLimits };
  }

  /** Starts a Loaded, Stopped or Failed agent; a running one is left as it is. */
  start(name: string): Promise<AgentView> {
    return this.#traced("start", name, () => this.#start(name));
  }

  #start(name: string): Promise<AgentView> {
    return this.#locked(name, async () => {
      const live = this.#live(name);
      if (live.record.state === "stopped" || live.record.state === "failed") {
        this.#transition(live, "loaded", "start requested");
        return await this.#loadDeployed(live, true);
      }
      this.#run(live);
      return this.#view(live);
    });
  }

  /** Stops a running agent after its mailbox drains; a stopped or failed one is left as it is. */
  stop(name: string): Promise<AgentView> {
    return this.#traced("stop", name, () => this.#stop(name));
  }

  #stop(name: string): Promise<AgentView> {
    return this.#locked(name, async () => {
      const live = this.#live(name);
      // Idempotent: stopping what is not running (stopped, failed) changes nothing.
      if (live.record.state === "stopped" || live.record.state === "failed") {
        return this.#view(live);
      }
      if (live.record.state === "loaded") {
        this.#transition(live, "stopped", "stopped before start");
        this.#unload(live);
        return this.#view(live);
      }
      assertTransition(name, live.record.state, "draining");
      live.accepting = false;
      this.#transition(live, "draining", "stop requested");
      await this.#direct.disable(live.instanceId);
      await live.mailbox.drained();
      this.#transition(live, "stopped", "stop requested");
      this.#unload(live);
      return this.#view(live);
    });
  }

  /** Removes an agent, its versions, history and state. Running agents are stopped first. */
  remove(name: string): Promise<void> {
    return this.#traced("remove", name, () => this.#remove(name));
  }

  /** Runs a lifecycle operation in its span when tracing is on. */
  #traced<T>(operation: string, name: string, run: () => Promise<T>): Promise<T> {
    const telemetry = this.#deps.telemetry;
    return telemetry ? telemetry.lifecycle(operation, name, run) : run();
  }

  async #remove(name: string): Promise<void> {
    if (this.#live(name).record.state === "running") await this.#stop(name);
    await this.#locked(name, () => {
      const live = this.#live(name);
      live.accepting = false;
      this.#unload(live);
      this.#failAll(live, "agent was removed");
      this.#deps.router.detach(name);
      this.#deps.store.agents.remove(live.record.id);
      this.#byName.delete(name);
      // Cluster: the name is free again everywhere (a failed release only leaves a stale entry).
      return this.#deps.names?.release(name).catch((error) =>
        this.#log.log("warn", "cluster name release failed", { agent: name, error: error.message })
      ) ?? Promise.resolve();
    });
  }

  /** One agent, with its live figures. */
  get(name: string): AgentView {
    return this.#view(this.#live(name));
  }

  /** Every agent. */
  list(): AgentView[] {
    return [...this.#byName.values()].map((live) => this.#view(live));
  }

  /** The persisted lifecycle history of an agent. */
  history(name: string) {
    return this.#deps.store.agents.transitions(this.#live(name).record.id);
  }

  /** The persisted runtime events (traps, watchdog restarts) of an agent. */
  events(name: string) {
    return this.#deps.store.agents.events(this.#live(name).record.id);
  }

  /**
   * Brings back the agents of a restarted node: Running ones run again with
   * their state; an agent caught mid-reload runs its newest version; one
   * caught mid-stop is Stopped.
   */
  async restore(): Promise<{ restored: number; failed: string[] }> {
    let restored = 0;
    const failed: string[] = [];
    for (const record of this.#deps.store.agents.list()) {
      const live = this.#adopt(record);
      const wasReloading = record.state === "draining" &&
        this.#deps.store.agents.transitions(record.id).at(-1)?.reason?.startsWith(_RELOAD);
      try {
        if (record.state === "running" || wasReloading || record.state === "loaded") {
          // The process restarted, not the agent: it keeps its state and comes back as it was.
          await this.#instantiate(live);
          this.#deps.store.agents.recordEvent(record.id, "restored", "restored after restart");
          if (record.state === "draining") {
            this.#transition(
              live,
              "running",
              `${_RELOAD} interrupted by a restart; version ${record.version} kept`,
            );
          }
          if (live.record.state === "running") this.#run(live);
          restored++;
        } else if (record.state === "draining") {
          this.#transition(live, "stopped", "stop completed at restart");
        }
      } catch (error) {
        failed.push(record.name);
        this.#log.log("error", "agent could not be restored", {
          "caxton.agent.name": record.name,
          error: (error as Error).message,
        });
      }
    }
    return { restored, failed };
  }

  /** Stops accepting and waits for every mailbox to drain, up to `timeoutMs`. */
  async drainAll(timeoutMs = 5_000): Promise<void> {
    for (const live of this.#byName.values()) live.accepting = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = async (live: LiveAgent) => {
      await this.#direct.disable(live.instanceId);
      await live.mailbox.drained();
    };
    await Promise.race([
      Promise.all([...this.#byName.values()].map(drained)),
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
  }

  /** Receives delivery outcomes from the pool. */
  onOutcome(outcome: Outcome): void {
    const live = this.#byInstance.get(outcome.instanceId);
    if (!live) return;
    const envelope = outcome.seq === 0 ? undefined : live.mailbox.complete(outcome.seq);
    if (envelope) this.#direct.check(outcome.instanceId);
    // Traced: the deliver and handle spans; what the agent sent continues from the handle span.
    const handledAs = envelope && this.#deps.telemetry?.delivered({
      message: envelope.message,
      receiver: live.record.name,
      routedAt: envelope.routedAt,
      startedAt: outcome.startedAt,
      endedAt: outcome.endedAt,
      fuelUsed: outcome.fuelUsed,
      failure: outcome.failure,
      trapped: outcome.trapped,
    });
    // The state a message wrote and the log's word that it was handled commit
    // together, so a crash (or a backup) never sees one without the other.
    this.#effects.apply(
      live,
      outcome,
      () => {
        if (envelope) this.#deps.router.complete(envelope, outcome.failure, { durableNow: true });
      },
      envelope,
      handledAs,
    );
    if (envelope && outcome.stateChanges.length === 0) {
      this.#deps.router.complete(envelope, outcome.failure);
    }
    live.counters.fuelUsed += outcome.fuelUsed;
    if (outcome.failure === null) {
      live.counters.handled++;
      return;
    }
    live.counters.failed++;
    this.#deps.store.agents.recordEvent(live.record.id, "trap", outcome.failure);
    this.#log.log("warn", "agent failed a message", {
      "caxton.agent.name": live.record.name,
      reason: outcome.failure,
    });
    const failed = envelope?.message ?? parseReported(outcome.message);
    if (failed) {
      const code = outcome.failureCode ?? "handling_failed";
      this.#deps.router.fail(failed, live.record.name, code, outcome.failure);
    }
    if (outcome.trapped) this.#countTrap(live, outcome.failure);
  }

  /** Counts direct deliveries a worker made that had nothing else to report. */
  onTallies(tallies: DirectTally[]): void {
    for (const tally of tallies) {
      const live = this.#byInstance.get(tally.instanceId);
      if (!live) continue;
      live.counters.handled += tally.handled;
      live.counters.fuelUsed += tally.fuelUsed;
      live.counters.sent += tally.sent;
    }
  }

  /** Direct messages the main thread must see (observers, reply-by clocks). */
  onNotes(notes: DirectNote[]): void {
    for (const note of notes) {
      const message = parseReported(note.message);
      if (message) this.#deps.router.observeDirect(message, note.at);
    }
  }

  /** A worker armed direct delivery to an instance. */
  onArmed(instanceId: number): void {
    this.#direct.onArmed(instanceId);
  }

  /** Messages a worker had held for direct delivery and gives back: routed again, in order. */
  onBounced(texts: string[]): void {
    for (const text of texts) {
      const message = parseReported(text);
      if (message) this.#deps.router.route(message);
    }
  }

  /** Receives the pool's report that a worker was lost with its instances. */
  onWorkerLost(loss: WorkerLoss): void {
    for (const instanceId of loss.instanceIds) {
      const live = this.#byInstance.get(instanceId);
      if (!live) continue;
      this.#byInstance.delete(instanceId);
      this.#direct.forget(instanceId);
      live.instanceId = null;
      live.mailbox.connect(null);
      this.#deps.store.agents.recordEvent(live.record.id, "watchdog", loss.reason);
      this.#log.log("error", "worker lost; restarting its agents", {
        "caxton.agent.name": live.record.name,
        reason: loss.reason,
      });
      for (const envelope of live.mailbox.takeInFlight()) {
        this.#deps.router.complete(envelope, loss.reason);
        this.#deps.router.fail(envelope.message, live.record.name, "handling_failed", loss.reason);
      }
      void this.#locked(live.record.name, async () => {
        if (live.record.state !== "running" && live.record.state !== "draining") return;
        try {
          await this.#instantiate(live);
          this.#connect(live);
        } catch (error) {
          this.#fail(live, `restart after worker loss failed: ${(error as Error).message}`);
        }
      });
    }
  }

  async #deploy(name: string, bytes: Uint8Array, options: DeployOptions): Promise<AgentView> {
    const existing = this.#byName.get(name);
    const limits = resolveLimits(
      options.limits ?? {},
      existing?.record.limits ?? this.#deps.defaults,
    );
    const { hash, module } = await this.#builds.forDeploy(bytes, limits);
    const isolation = options.isolation ?? existing?.record.isolation ?? "shared";
    const store = this.#deps.store;
    const tools = options.tools ? [...new Set(options.tools)] : undefined;
    const toolLimits = options.toolLimits ? { ...options.toolLimits } : undefined;
    if (existing && (tools || toolLimits)) {
      const next = {
        tools: tools ?? existing.record.tools,
        toolLimits: toolLimits ?? existing.record.toolLimits,
      };
      store.agents.setTools(existing.record.id, next.tools, next.toolLimits);
      existing.record = { ...existing.record, ...next };
    }
    if (!existing) {
      const record = store.agents.create({
        name,
        moduleHash: hash,
        isolation,
        limits,
        tools,
        toolLimits,
      });
      const live = this.#adopt(record);
      live.module = module;
      this.#transition(live, "loaded", "deployed");
      try {
        return await this.#loadDeployed(live, options.start !== false);
      } catch (error) {
        // A first deploy that cannot load leaves nothing: not listed, the name free (issue 13).
        this.#discard(live);
        throw error;
      }
    }
    if (existing.record.state === "running") {
      return await this.#hotReload(existing, hash, module, limits, isolation);
    }
    if (existing.record.state === "draining") {
      throw new InvalidDeploymentError(
        `Cannot deploy agent "${name}" while it is draining; wait until it is stopped`,
      );
    }
    // Loaded, Stopped or Failed: a new version, loaded afresh. It is instantiated before it
    // replaces the old one, so a version that cannot load leaves the agent as it was (issue 13).
    const next = await this.#startInstance(existing, module, limits, isolation);
    this.#unload(existing);
    this.#newVersion(existing, hash, limits, isolation);
    existing.module = module;
    existing.instanceId = next.instanceId;
    this.#byInstance.set(next.instanceId, existing);
    this.#effects.apply(existing, next.effects);
    if (existing.record.state !== "loaded") this.#transition(existing, "loaded", "redeployed");
    if (options.start !== false) this.#run(existing);
    return this.#view(existing);
  }

  /** Forgets an agent whose first deploy failed: nothing was delivered to it, nothing is kept. */
  #discard(live: LiveAgent): void {
    this.#unload(live);
    this.#deps.router.detach(live.record.name);
    this.#deps.store.agents.remove(live.record.id);
    this.#byName.delete(live.record.name);
  }

  /** Instantiates a Loaded agent; a failure leaves it Failed with the reason. */
  async #loadDeployed(live: LiveAgent, start: boolean): Promise<AgentView> {
    try {
      await this.#instantiate(live);
    } catch (error) {
      this.#fail(live, (error as Error).message);
      throw error;
    }
    if (start) this.#run(live);
    return this.#view(live);
  }

  /**
   * Swaps a running agent to a new version: new messages queue while the old
   * instance finishes what it holds, then the new one takes the mailbox. No
   * message is lost, none is handled twice.
   */
  async #hotReload(
    live: LiveAgent,
    hash: string,
    module: WebAssembly.Module,
    limits: AgentLimits,
    isolation: Isolation,
  ): Promise<AgentView> {
    const version = live.record.version + 1;
    this.#transition(live, "draining", `${_RELOAD} to version ${version}`);
    await this.#direct.disable(live.instanceId);
    live.mailbox.connect(null);
    await live.mailbox.settled();
    const previous = { instanceId: live.instanceId, module: live.module, record: live.record };
    try {
      const next = await this.#startInstance(live, module, limits, isolation);
      this.#deps.store.transaction(() => {
        this.#newVersion(live, hash, limits, isolation);
        this.#transition(live, "running", `${_RELOAD}ed to version ${version}`);
      });
      if (previous.instanceId !== null) {
        this.#byInstance.delete(previous.instanceId);
        this.#deps.pool.unload(previous.instanceId);
      }
      live.instanceId = next.instanceId;
      live.module = module;
      this.#byInstance.set(next.instanceId, live);
      this.#effects.apply(live, next.effects);
    } catch (error) {
      // The old version keeps serving; the deploy is refused.
      this.#transition(live, "running", `${_RELOAD} to version ${version} failed`);
      this.#connect(live);
      throw error;
    }
    this.#connect(live);
    return this.#view(live);
  }

  #newVersion(live: LiveAgent, hash: string, limits: AgentLimits, isolation: Isolation): void {
    const store = this.#deps.store;
    const version = live.record.version + 1;
    const updatedAt = store.transaction(() => {
      store.agents.setLimits(live.record.id, limits);
      return store.agents.addVersion(live.record.id, version, hash);
    });
    live.record = { ...live.record, version, moduleHash: hash, limits, isolation, updatedAt };
  }

  async #moduleOf(live: LiveAgent): Promise<WebAssembly.Module> {
    live.module ??= await this.#builds.forAgent(live.record);
    return live.module;
  }

  async #instantiate(live: LiveAgent): Promise<void> {
    const module = await this.#moduleOf(live);
    const { instanceId, effects } = await this.#startInstance(
      live,
      module,
      live.record.limits,
      live.record.isolation,
    );
    live.instanceId = instanceId;
    this.#byInstance.set(instanceId, live);
    this.#effects.apply(live, effects);
  }

  #startInstance(
    live: LiveAgent,
    module: WebAssembly.Module,
    limits: AgentLimits,
    isolation: Isolation,
  ) {
    return this.#deps.pool.load({
      agentName: live.record.name,
      module,
      limits,
      isolation,
      state: this.#deps.store.state.load(live.record.id),
    });
  }

  #run(live: LiveAgent): void {
    if (live.record.state !== "running") this.#transition(live, "running", "started");
    live.accepting = true;
    live.trapTimes = [];
    this.#connect(live);
  }

  /** Hands the mailbox to the instance; its worker may then deliver to it directly. */
  #connect(live: LiveAgent): void {
    live.mailbox.connect(this.#sink(live));
    if (live.record.state === "running" && live.instanceId !== null) {
      this.#direct.enable(
        live.instanceId,
        live.record.name,
        live.mailbox,
        live.record.limits.maxMessageBytes,
      );
    }
  }

  #unload(live: LiveAgent): void {
    live.mailbox.connect(null);
    if (live.instanceId === null) return;
    // The worker gives back what it queued or held for direct delivery (onBounced).
    this.#direct.forget(live.instanceId);
    this.#byInstance.delete(live.instanceId);
    this.#deps.pool.unload(live.instanceId);
    live.instanceId = null;
  }

  #sink(live: LiveAgent) {
    const instanceId = live.instanceId!;
    return (seq: number, envelope: Envelope) =>
      this.#deps.pool.deliver(instanceId, envelope.text, {
        seq,
        traceparent: envelope.message.traceparent,
        observe: envelope.message.protocol !== undefined,
        timed: this.#deps.telemetry?.traced(envelope.message.traceparent),
      });
  }

  #adopt(record: AgentRecord): LiveAgent {
    const live: LiveAgent = {
      record,
      mailbox: new Mailbox(record.name, {
        capacity: this.#deps.mailboxCapacity,
        onPressure: (congested) => this.#deps.pool.congestion(record.name, congested),
      }),
      module: null,
      instanceId: null,
      accepting: false,
      trapTimes: [],
      counters: { handled: 0, failed: 0, traps: 0, fuelUsed: 0, sent: 0 },
    };
    this.#byName.set(record.name, live);
    this.#deps.router.attach(record.name, {
      reportsOutcome: true,
      enqueue: (envelope) => {
        if (!live.accepting) {
          throw new Error(`agent "${record.name}" is ${live.record.state}, not running`);
        }
        // UTF-16 length is a lower bound of the UTF-8 size; the exact size is checked only near the cap.
        const limit = live.record.limits.maxMessageBytes;
        if (envelope.text.length > limit / 3) {
          const bytes = _utf8.encode(envelope.text).length;
          if (bytes > limit) throw new MessageTooLargeError(record.name, bytes, limit);
        }
        live.mailbox.enqueue(envelope);
      },
    });
    return live;
  }

  /** Persists and routes what agent code produced; `alongState` runs in the state's transaction. */
  #countTrap(live: LiveAgent, reason: string): void {
    live.counters.traps++;
    const now = Date.now();
    const { maxTraps, trapWindowMs } = live.record.limits;
    live.trapTimes = live.trapTimes.filter((t) => now - t < trapWindowMs);
    live.trapTimes.push(now);
    if (live.trapTimes.length >= maxTraps && live.record.state === "running") {
      this.#fail(live, `${live.trapTimes.length} traps within ${trapWindowMs} ms; last: ${reason}`);
    }
  }

  #fail(live: LiveAgent, reason: string): void {
    live.accepting = false;
    void this.#direct.disable(live.instanceId);
    if (live.record.state !== "failed") this.#transition(live, "failed", reason);
    this.#unload(live);
    this.#failAll(live, `agent "${live.record.name}" failed: ${reason}`);
  }

  #failAll(live: LiveAgent, reason: string): void {
    for (const envelope of live.mailbox.takeAll()) {
      this.#deps.router.complete(envelope, reason);
      this.#deps.router.fail(envelope.message, live.record.name, "agent_unavailable", reason);
    }
  }

  #transition(live: LiveAgent, to: AgentState, reason: string): void {
    assertTransition(live.record.name, live.record.state, to);
    const updatedAt = this.#deps.store.agents.recordTransition(live.record, to, reason);
    live.record = {
      ...live.record,
      state: to,
      failure: to === "failed" ? reason : null,
      updatedAt,
    };
  }

  #live(name: string): LiveAgent {
    const live = this.#byName.get(name);
    if (!live) throw new AgentNotFoundError(name);
    return live;
  }

  #view(live: LiveAgent): AgentView {
    return {
      ...live.record,
      mailboxDepth: live.mailbox.depth,
      counters: { ...live.counters },
      worker: live.instanceId === null ? null : this.#deps.pool.workerOf(live.instanceId) ?? null,
    };
  }

  #locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(name) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => {});
    this.#locks.set(name, tail);
    void tail.then(() => {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    });
    return next;
  }
}
