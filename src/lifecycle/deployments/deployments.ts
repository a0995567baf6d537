/**
 * The front of deployments (issue 16): validation stages, then blue-green,
 * canary or shadow (rollout.ts); status, promote, abort, rollback and the
 * history kept in the store. The manager hands it every outcome first.
 */
import { detectLanguage, resolveLimits } from "../../runtime/mod.ts";
import type { Outcome } from "../../runtime/mod.ts";
import type { DeploymentRecord } from "../../store/mod.ts";
import type { AgentTable } from "../agent_table.ts";
import { InvalidDeploymentError } from "../deploy_options.ts";
import { hotReload } from "../hot_reload.ts";
import type { CandidateBuild } from "./candidate_build.ts";
import { DeploymentSpans } from "../../telemetry/mod.ts";
import { DeploymentSignals } from "./deployment_signals.ts";
import { Rollout } from "./rollout.ts";
import type { RolloutOptions } from "./rollout_options.ts";
import { ACTIVE_STATUSES, type RolloutReport, type StageResult } from "./rollout_report.ts";
import { type OutcomeClaims, runSandbox } from "./sandbox.ts";

/** A deployment as the API and the CLI show it. */
export type DeploymentView = Omit<DeploymentRecord, "report"> & {
  agent: string;
  report: RolloutReport;
};

/** Raised when an agent has no deployment to act on. */
export class NoDeploymentError extends Error {
  readonly code = "no_deployment";
  constructor(readonly agent: string, action: string) {
    super(
      `Cannot ${action} agent "${agent}": it has no deployment under way; see its rollout history`,
    );
    this.name = "NoDeploymentError";
  }
}

/** Deployments of this node's agents. */
export class Deployments implements OutcomeClaims {
  readonly #agents: AgentTable;
  readonly #active = new Map<string, Rollout>();
  readonly #claims = new Map<number, (outcome: Outcome) => void>();

  constructor(agents: AgentTable) {
    this.#agents = agents;
  }

  /** Whether agent `name` has a deployment under way (a plain deploy is refused meanwhile). */
  isActive(name: string): boolean {
    return this.#active.has(name);
  }

  claim(instanceId: number, handler: (outcome: Outcome) => void): void {
    this.#claims.set(instanceId, handler);
  }

  release(instanceId: number): void {
    this.#claims.delete(instanceId);
  }

  /**
   * Sees every outcome before the manager: true when it is not the agent's to
   * apply (a sandbox's or a shadow's). Costs one size check with no deployment.
   */
  claims(outcome: Outcome): boolean {
    if (this.#claims.size > 0) {
      const handler = this.#claims.get(outcome.instanceId);
      if (handler) {
        handler(outcome);
        return true;
      }
    }
    if (this.#active.size === 0) return false;
    for (const rollout of this.#active.values()) {
      if (rollout.owns(outcome.instanceId)) return rollout.observe(outcome);
    }
    return false;
  }

  /**
   * Deploys `bytes` to running agent `name` with a strategy: static and
   * sandbox stages first; a failed stage ends it before any traffic.
   */
  async deploy(name: string, bytes: Uint8Array, options: RolloutOptions): Promise<DeploymentView> {
    const agents = this.#agents;
    const rollout = await agents.locked(name, async () => {
      const live = agents.live(name);
      if (live.record.state !== "running") {
        throw new InvalidDeploymentError(
          `Cannot roll out to agent "${name}": it is ${live.record.state}; a rollout needs it running (deploy it plainly instead)`,
        );
      }
      if (live.record.instances > 1) {
        throw new InvalidDeploymentError(
          `Cannot roll out to agent "${name}": it runs as a pool of ${live.record.instances} instances; strategies serve one instance per version (deploy it plainly to hot-reload the pool)`,
        );
      }
      if (this.#active.has(name)) {
        throw new InvalidDeploymentError(
          `Cannot roll out to agent "${name}": deployment ${
            this.#active.get(name)!.record.id
          } is under way; promote or abort it first`,
        );
      }
      const report: RolloutReport = { stages: [], steps: [], share: 0 };
      const record = agents.deps.store.deployments.create({
        agentId: live.record.id,
        strategy: options.strategy,
        status: "validating",
        fromVersion: live.record.version,
        fromHash: live.record.moduleHash,
        toHash: "",
        options: options as unknown as Record<string, unknown>,
        report: report as unknown as Record<string, unknown>,
      });
      const signals = this.#signals(name, record.id, options.strategy);
      const stageEvent = (stage: StageResult) =>
        agents.deps.store.agents.recordEvent(
          live.record.id,
          "deployment",
          `deployment ${record.id} ${stage.stage} stage ${stage.passed ? "passed" : "failed"}${
            stage.failure ? `: ${stage.failure.difference}` : ""
          }`,
        );
      const fail = (stage: StageResult) => {
        stageEvent(stage);
        report.stages.push(stage);
        report.reason = `${stage.stage} stage failed: ${stage.failure?.difference}`;
        signals.stage(stage);
        signals.ended("failed_validation", report.reason);
        agents.deps.store.deployments.update(record.id, "failed_validation", null, report as never);
        agents.log.log("warn", "deployment failed validation", {
          "caxton.agent.name": name,
          deployment: record.id,
          stage: stage.stage,
          difference: stage.failure?.difference,
        });
        return undefined;
      };
      // Static: today's module rules (size, ABI, imports, memory, metering).
      const began = performance.now();
      let build: CandidateBuild;
      try {
        const limits = resolveLimits({}, live.record.limits);
        const { hash, module } = await agents.builds.forDeploy(bytes, limits);
        const previous = {
          limits: live.record.limits,
          isolation: live.record.isolation,
          language: live.record.language,
        };
        const language = detectLanguage(bytes);
        build = { hash, module, limits, isolation: live.record.isolation, language, previous };
        record.toHash = hash;
      } catch (error) {
        return fail({
          stage: "static",
          passed: false,
          ms: Math.round(performance.now() - began),
          failure: { difference: (error as Error).message },
        });
      }
      const passed: StageResult = {
        stage: "static",
        passed: true,
        ms: Math.round(performance.now() - began),
      };
      report.stages.push(passed);
      signals.stage(passed);
      const sandbox = await runSandbox(agents, live, { ...build, bytes }, options, this);
      if (!sandbox.passed) return fail(sandbox);
      report.stages.push(sandbox);
      signals.stage(sandbox);
      for (const stage of report.stages) stageEvent(stage);
      const rollout = new Rollout(
        agents,
        live,
        { record, report, signals },
        build,
        (r) => this.#ended(r),
      );
      this.#active.set(name, rollout);
      try {
        await rollout.begin();
      } catch (error) {
        this.#active.delete(name);
        report.reason = `the new version could not start: ${(error as Error).message}`;
        agents.deps.store.deployments.update(record.id, "rolled_back", null, report as never);
        signals.ended("rolled_back", report.reason);
        throw error;
      }
      return rollout;
    });
    return rollout
      ? this.#view(name, rollout.record, rollout.liveReport())
      : this.history(name, 1)[0]!;
  }

  /** The deployment under way, else the latest one. */
  status(name: string): DeploymentView {
    const rollout = this.#active.get(name);
    if (rollout) return this.#view(name, rollout.record, rollout.liveReport());
    const latest = this.history(name, 1)[0];
    if (!latest) throw new NoDeploymentError(name, "show a deployment of");
    return latest;
  }

  /** Promotes the deployment under way at once (canary to 100 %, blue-green ends its grace, shadow ends). */
  async promote(name: string): Promise<DeploymentView> {
    const rollout = this.#activeFor(name, "promote");
    await rollout.promote();
    return this.status(name);
  }

  /** Aborts the deployment under way: the old version takes all traffic again. */
  async abort(name: string): Promise<DeploymentView> {
    const rollout = this.#activeFor(name, "abort");
    await rollout.rollback("aborted by request");
    return this.status(name);
  }

  /**
   * Rolls back: under way, as abort; after it completed, the version before
   * the latest deployment is hot-reloaded (a new version with the old module).
   */
  async rollback(name: string): Promise<DeploymentView> {
    const rollout = this.#active.get(name);
    if (rollout) {
      await rollout.rollback("rolled back by request");
      return this.status(name);
    }
    const latest = this.history(name, 10).find((d) =>
      d.status === "completed" || d.status === "promoted"
    );
    if (!latest) throw new NoDeploymentError(name, "roll back");
    const agents = this.#agents;
    await agents.locked(name, async () => {
      const live = agents.live(name);
      const module = await agents.builds.forAgent({ ...live.record, moduleHash: latest.fromHash });
      await hotReload(
        agents,
        live,
        latest.fromHash,
        module,
        live.record.limits,
        live.record.isolation,
        live.record.language,
      );
      latest.report.reason = `rolled back by request to version ${latest.fromVersion}'s module`;
      agents.deps.store.deployments.update(
        latest.id,
        "rolled_back",
        latest.toVersion,
        latest.report as never,
      );
    });
    return this.status(name);
  }

  /** An agent's deployments, newest first. */
  history(name: string, limit = 50): DeploymentView[] {
    const live = this.#agents.live(name);
    return this.#agents.deps.store.deployments.byAgent(live.record.id, limit)
      .map((record) => this.#view(name, record, record.report as unknown as RolloutReport));
  }

  /** Aborts agent `name`'s deployment, if any (before a stop or a remove). */
  async abortIfActive(name: string): Promise<void> {
    await this.#active.get(name)?.rollback("the agent was stopped");
  }

  /**
   * After a restart: deployments a stop interrupted are rolled back — the
   * agent runs the version its record names (the old one, unless a switch
   * had persisted the new) and the rollout is marked with why.
   */
  afterRestart(): number {
    const store = this.#agents.deps.store;
    const interrupted = store.deployments.withStatus(ACTIVE_STATUSES);
    for (const record of interrupted) {
      const report = record.report as unknown as RolloutReport;
      // A blue-green switch had persisted the new version: it is what the agent runs now.
      const kept = record.toVersion !== null;
      report.reason = kept
        ? `the node restarted after the switch; version ${record.toVersion} kept`
        : "the node restarted mid-rollout; rolled back to the version the agent had";
      store.deployments.update(
        record.id,
        kept ? "completed" : "rolled_back",
        record.toVersion,
        report as never,
      );
    }
    return interrupted.length;
  }

  /**
   * A worker was lost with these instances: a rollout with one of them ends
   * (Rollout.lost), before the manager restarts the agents it held.
   */
  workerLost(instanceIds: readonly number[], reason: string): void {
    for (const rollout of [...this.#active.values()]) {
      const lost = instanceIds.filter((id) => rollout.owns(id));
      if (lost.length > 0) rollout.lost(lost, reason);
    }
  }

  /** Stops every rollout's clock (node shutdown); the next start ends them (afterRestart). */
  close(): void {
    for (const rollout of this.#active.values()) rollout.stopClock();
  }

  /** The metrics and (tracing on) spans of a new deployment. */
  #signals(agent: string, deploymentId: number, strategy: string): DeploymentSignals {
    const { metrics, telemetry } = this.#agents.deps;
    return new DeploymentSignals(strategy, {
      ...(metrics ? { metrics: metrics.deployments } : {}),
      ...(telemetry
        ? { spans: new DeploymentSpans(telemetry.tracer, { agent, deploymentId, strategy }) }
        : {}),
    });
  }

  #activeFor(name: string, action: string): Rollout {
    const rollout = this.#active.get(name);
    if (!rollout) throw new NoDeploymentError(name, action);
    return rollout;
  }

  #ended(rollout: Rollout): void {
    if (this.#active.get(rollout.agent) === rollout) this.#active.delete(rollout.agent);
  }

  #view(agent: string, record: DeploymentRecord, report: RolloutReport): DeploymentView {
    return { ...record, agent, report: structuredClone(report) };
  }
}
