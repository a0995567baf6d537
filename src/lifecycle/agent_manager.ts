/**
 * The front of the agent lifecycle on this node: deploy, start, stop, remove,
 * and the reads the API makes. One deploy (deploy_one.ts), listing by page
 * (agent_listing.ts), recovery after a restart (agent_restore.ts), hot reload
 * (hot_reload.ts) and the pool's reports (pool_events.ts) live in their own
 * files; every transition is persisted (agent_table.ts).
 */
import type {
  CapabilityDeclaration,
  DirectNote,
  DirectTally,
  Outcome,
  WorkerLoss,
} from "../runtime/mod.ts";
import type { ToolLimits } from "../store/mod.ts";
import { assertTransition } from "./agent_state.ts";
import { type AgentManagerDeps, AgentTable, type AgentView } from "./agent_table.ts";
import { restoreAgents } from "./agent_restore.ts";
import {
  declaredCapabilities,
  type DeployOptions,
  InvalidDeploymentError,
  validateDeployment,
} from "./deploy_options.ts";
import { deployOne } from "./deploy_one.ts";
import { type AgentQuery, pageAgents } from "./agent_listing.ts";
import type { ActivationFigures } from "./activation.ts";
import {
  type AgentCensus,
  type AgentFigures,
  agentsWithSeries,
  countByState,
  takeCensus,
} from "./agent_census.ts";
import { type BulkDeployOptions, type BulkDeployResult, deployMany } from "./bulk_deploy.ts";
import type { LiveAgent } from "./live_agent.ts";
import { PoolEvents } from "./pool_events.ts";
import { Deployments } from "./deployments/deployments.ts";

/** Owns every agent of the node. Build it in main.ts; wire the pool's callbacks to it. */
export class AgentManager {
  readonly #agents: AgentTable;
  readonly #events: PoolEvents;
  /** Blue-green, canary and shadow deployments with their validation stages (issue 16). */
  readonly deployments: Deployments;

  constructor(deps: AgentManagerDeps) {
    this.#agents = new AgentTable(deps);
    this.#events = new PoolEvents(this.#agents);
    this.deployments = new Deployments(this.#agents);
  }

  /** Deploys a module as agent `name`: a new agent, a new version, or a hot reload. */
  async deploy(name: string, bytes: Uint8Array, options: DeployOptions = {}): Promise<AgentView> {
    validateDeployment(name, options);
    if (this.deployments.isActive(name)) {
      throw new InvalidDeploymentError(
        `Cannot deploy agent "${name}" while a rollout is under way; promote or abort it first`,
      );
    }
    const agents = this.#agents;
    return await this.#traced("deploy", name, () =>
      agents.locked(name, async () => {
        // Cluster: a new name is claimed cluster-wide first, and given back if the deploy fails.
        const claims = agents.find(name) ? undefined : agents.deps.names;
        await claims?.claim(name);
        const view = await deployOne(agents, name, bytes, options).catch(async (error) => {
          await claims?.release(name).catch(() => {});
          throw error;
        });
        if (!options.capabilities?.length) return view;
        const live = agents.live(name);
        agents.effects.apply(live, {
          sends: [],
          stateChanges: [],
          logs: [],
          capabilities: declaredCapabilities(options),
          fuelUsed: 0,
        });
        return agents.view(live);
      }));
  }

  /**
   * Deploys many new agents of one module (issue 21): validated and metered
   * once; each agent is activated by its first message.
   */
  deployMany(
    names: readonly string[],
    bytes: Uint8Array,
    options: BulkDeployOptions = {},
  ): Promise<BulkDeployResult> {
    return this.#traced(
      "deploy_many",
      names[0] ?? "",
      () => deployMany(this.#agents, names, bytes, options),
    );
  }

  /** Whether an agent named `name` lives on this node. */
  has(name: string): boolean {
    return this.#agents.find(name) !== undefined;
  }

  /**
   * What agent `name` may do with MCP tools: its grants ("server/tool" or
   * "server/*") and its own limits, or undefined when no agent has that name.
   */
  toolPolicy(name: string): { tools: readonly string[]; limits: ToolLimits } | undefined {
    const record = this.#agents.find(name)?.record;
    return record && { tools: record.tools, limits: record.toolLimits };
  }

  /** Where a provider is, for the directory: its state and mailbox depth (undefined: no agent). */
  providerStatus(name: string): { state: string; load: number } | undefined {
    const live = this.#agents.find(name);
    return live && { state: live.record.state, load: live.mailbox.depth };
  }

  /** Adds (or replaces, by name) one capability of agent `name`, as `register_capability` does. */
  declareCapability(name: string, capability: CapabilityDeclaration): void {
    const live = this.#agents.live(name);
    const rest = live.record.capabilityDetails.filter((c) => c.name !== capability.name);
    this.#agents.effects.setCapabilities(live, [...rest, capability]);
  }

  /** Withdraws one capability of agent `name`; returns whether it had it. */
  withdrawCapability(name: string, capability: string): boolean {
    const live = this.#agents.live(name);
    const rest = live.record.capabilityDetails.filter((c) => c.name !== capability);
    if (rest.length === live.record.capabilityDetails.length) return false;
    this.#agents.effects.setCapabilities(live, rest);
    return true;
  }

  /** Starts a Loaded, Stopped or Failed agent; a running one is left as it is. */
  start(name: string): Promise<AgentView> {
    return this.#traced("start", name, () => this.#start(name));
  }

  #start(name: string): Promise<AgentView> {
    const agents = this.#agents;
    return agents.locked(name, async () => {
      const live = agents.live(name);
      if (live.record.state === "stopped" || live.record.state === "failed") {
        agents.transition(live, "loaded", "start requested");
        return await agents.loadDeployed(live, true);
      }
      agents.run(live);
      return agents.view(live);
    });
  }

  /** Stops a running agent after its mailbox drains; a stopped or failed one is left as it is. */
  stop(name: string): Promise<AgentView> {
    return this.#traced("stop", name, async () => {
      await this.deployments.abortIfActive(name);
      return await this.#stop(name);
    });
  }

  #stop(name: string): Promise<AgentView> {
    const agents = this.#agents;
    return agents.locked(name, async () => {
      const live = agents.live(name);
      // Idempotent: stopping what is not running (stopped, failed) changes nothing.
      if (live.record.state === "stopped" || live.record.state === "failed") {
        return agents.view(live);
      }
      if (live.record.state === "loaded") {
        agents.transition(live, "stopped", "stopped before start");
        agents.unload(live);
        return agents.view(live);
      }
      assertTransition(name, live.record.state, "draining");
      live.accepting = false;
      agents.transition(live, "draining", "stop requested");
      await agents.direct.disable(live.instanceId);
      // A passivated agent with messages waiting is woken here: its waker waits for this lock.
      if (live.mailbox.depth > 0) await agents.ensureInstance(live);
      await live.mailbox.drained();
      agents.transition(live, "stopped", "stop requested");
      agents.unload(live);
      return agents.view(live);
    });
  }

  /** Removes an agent, its versions, history and state. Running agents are stopped first. */
  remove(name: string): Promise<void> {
    return this.#traced("remove", name, () => this.#remove(name));
  }

  /** Runs a lifecycle operation in its span when tracing is on. */
  #traced<T>(operation: string, name: string, run: () => Promise<T>): Promise<T> {
    const telemetry = this.#agents.deps.telemetry;
    return telemetry ? telemetry.lifecycle(operation, name, run) : run();
  }

  async #remove(name: string): Promise<void> {
    await this.deployments.abortIfActive(name);
    const agents = this.#agents;
    if (agents.live(name).record.state === "running") await this.#stop(name);
    await agents.locked(name, () => {
      const live = agents.live(name);
      live.accepting = false;
      agents.unload(live);
      agents.failAll(live, "agent was removed");
      agents.deps.router.detach(name);
      agents.deps.store.agents.remove(live.record.id);
      agents.forget(live);
      // Cluster: the name is free again everywhere (a failed release only leaves a stale entry).
      return agents.deps.names?.release(name).catch((error) =>
        agents.log.log("warn", "cluster name release failed", { agent: name, error: error.message })
      ) ?? Promise.resolve();
    });
  }

  /** One agent, with its live figures. */
  get(name: string): AgentView {
    return this.#agents.view(this.#agents.live(name));
  }

  /**
   * One page of agents in name order after the cursor `after`, filtered by
   * state, name prefix and capability; `next` is the cursor of the next page
   * or null. Costs the names scanned, not the number of agents (issue 21).
   */
  page(query: AgentQuery = {}): { items: AgentView[]; next: string | null } {
    return pageAgents(this.#agents, query);
  }

  /** Agents on this node, by lifecycle state. */
  countByState(): Record<string, number> {
    return countByState(this.#agents);
  }

  /** Every agent (reads every stored row: use {@linkcode page} where there may be many). */
  list(): AgentView[] {
    return [...this.#agents.deps.store.agents.each()].map((r) => this.#agents.viewOf(r));
  }

  /** Every agent's name, oldest first. */
  names(): string[] {
    return this.#agents.deps.store.agents.lookups.names();
  }

  /** The persisted lifecycle history of an agent. */
  history(name: string) {
    return this.#agents.deps.store.agents.transitions(this.#agents.live(name).record.id);
  }

  /** The persisted runtime events (traps, watchdog restarts) of an agent. */
  events(name: string) {
    return this.#agents.deps.store.agents.events(this.#agents.live(name).record.id);
  }

  /**
   * Brings back the agents of a restarted node: Running ones run again with
   * their state; an agent caught mid-reload runs its newest version; one
   * caught mid-stop is Stopped.
   */
  restore(): Promise<{ restored: number; failed: string[] }> {
    // Rollouts a stop interrupted end here (docs/DEPLOYMENTS.md): each agent runs its persisted version.
    this.deployments.afterRestart();
    return Promise.resolve(restoreAgents(this.#agents));
  }

  /** Stops accepting and waits for every mailbox to drain, up to `timeoutMs`. */
  async drainAll(timeoutMs = 5_000): Promise<void> {
    const agents = this.#agents;
    this.deployments.close();
    for (const live of agents.byName.values()) live.accepting = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = async (live: LiveAgent) => {
      await agents.direct.disable(live.instanceId);
      await live.mailbox.drained();
    };
    await Promise.race([
      Promise.all([...agents.byName.values()].map(drained)),
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    agents.activation.close();
    agents.scaler.close();
    agents.stopRefill();
  }

  /**
   * Adds each busy agent's mailbox depth to its worker's entry of `backlogs`
   * (by worker index). Costs the agents that took messages lately, not all.
   */
  addBacklogs(backlogs: number[]): number[] {
    const agents = this.#agents;
    for (const live of agents.busy) {
      const depth = live.mailbox.depth;
      if (depth === 0) {
        agents.busy.delete(live);
        continue;
      }
      const worker = live.instanceId === null
        ? undefined
        : agents.deps.pool.workerOf(live.instanceId);
      if (worker !== undefined && worker >= 0) backlogs[worker] = (backlogs[worker] ?? 0) + depth;
    }
    return backlogs;
  }

  /** Agents on this node, and messages waiting in their mailboxes (busy agents only are read). */
  load(): { agents: number; load: number } {
    let load = 0;
    for (const live of this.#agents.busy) load += live.mailbox.depth;
    return { agents: this.#agents.deps.store.agents.lookups.count(), load };
  }

  /**
   * Agents adopted since the node started: a restart adopts only those it must
   * act on; the others are adopted on their first touch (issue 21).
   */
  adopted(): number {
    return this.#agents.byName.size;
  }

  /** Figures of activation on demand: instances now, activations and passivations since start. */
  activity(): ActivationFigures {
    return this.#agents.activation.figures;
  }

  /** Agents by state and module version, and their counters summed (bounded `/metrics`). */
  census(): AgentCensus {
    return takeCensus(this.#agents);
  }

  /** Per-agent figures for the allowlisted agents and the `topN` busiest active ones. */
  withSeries(options: { allowlist?: readonly string[]; topN?: number } = {}): AgentFigures[] {
    return agentsWithSeries(this.#agents, options);
  }

  /** Activates agent `name` if it has no instance (a timer's way in); resolves when it has one. */
  async activate(name: string): Promise<void> {
    await this.#agents.activation.activate(this.#agents.live(name));
  }

  /** Receives delivery outcomes from the pool. */
  onOutcome(outcome: Outcome): void {
    if (this.deployments.claims(outcome)) return;
    this.#events.onOutcome(outcome);
  }

  /** Counts direct deliveries a worker made that had nothing else to report. */
  onTallies(tallies: DirectTally[]): void {
    this.#events.onTallies(tallies);
  }

  /** Direct messages the main thread must see (observers, reply-by clocks). */
  onNotes(notes: DirectNote[]): void {
    this.#events.onNotes(notes);
  }

  /** A worker armed direct delivery to an instance. */
  onArmed(instanceId: number): void {
    this.#agents.direct.onArmed(instanceId);
  }

  /** Messages a worker had held for direct delivery and gives back: routed again, in order. */
  onBounced(texts: string[], instanceId?: number, refs?: number[]): void {
    this.#events.onBounced(texts, instanceId, refs);
  }

  /** Direct deliveries a worker accepted, to log (log on; src/lifecycle/direct_log.ts). */
  onDirectOpened(packed: string): void {
    this.#events.onDirectOpened(packed);
  }

  /** Direct deliveries a worker handled with nothing else to report (log on). */
  onDirectDone(pairs: number[]): void {
    this.#events.onDirectDone(pairs);
  }

  /** Receives the pool's report that a worker was lost with its instances. */
  onWorkerLost(loss: WorkerLoss): void {
    // A rollout with an instance on the lost worker ends first (docs/DEPLOYMENTS.md).
    this.deployments.workerLost(loss.instanceIds, loss.reason);
    this.#events.onWorkerLost(loss);
  }
}
