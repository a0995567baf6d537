/**
 * One deployment under way on one agent: the new version's instance beside
 * the old one, the sink that splits (blue-green, canary) or copies (shadow)
 * the mailbox, the analysis clock, and the moves that end it — promote or
 * roll back — each persisted with the deployment's report.
 */
import type { Outcome } from "../../runtime/mod.ts";
import type { DeploymentRecord } from "../../store/mod.ts";
import type { AgentTable } from "../agent_table.ts";
import type { LiveAgent } from "../live_agent.ts";
import { analyse } from "./canary_analysis.ts";
import type { RolloutOptions } from "./rollout_options.ts";
import type { RolloutReport, RolloutStatus, StepRecord } from "./rollout_report.ts";
import { ShadowCopy } from "./shadow_copy.ts";
import { TwoVersions } from "./two_versions.ts";
import { VersionStats } from "./version_stats.ts";
import type { CandidateBuild } from "./candidate_build.ts";
import type { DeploymentSignals } from "./deployment_signals.ts";

/** A running deployment; made and ended by the deployments front (deployments.ts). */
export class Rollout {
  readonly record: DeploymentRecord;
  readonly report: RolloutReport;
  status: RolloutStatus = "progressing";
  readonly #agents: AgentTable;
  readonly #live: LiveAgent;
  readonly #build: CandidateBuild;
  readonly #options: RolloutOptions;
  readonly #onEnd: (rollout: Rollout) => void;
  readonly #signals: DeploymentSignals;
  readonly #stable: { id: number; module: WebAssembly.Module | null; keepAlive: boolean };
  #candidate = -1;
  #initEffects: Outcome | null = null;
  #split: TwoVersions | null = null;
  #shadow: ShadowCopy | null = null;
  readonly #stats = { stable: new VersionStats(), candidate: new VersionStats() };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #step = 0;
  #failedChecks = 0;
  #ending: Promise<void> | null = null;

  constructor(
    agents: AgentTable,
    live: LiveAgent,
    deployment: { record: DeploymentRecord; report: RolloutReport; signals: DeploymentSignals },
    build: CandidateBuild,
    onEnd: (rollout: Rollout) => void,
  ) {
    this.#agents = agents;
    this.#live = live;
    this.record = deployment.record;
    this.report = deployment.report;
    this.#build = build;
    this.#options = deployment.record.options as RolloutOptions;
    this.#onEnd = onEnd;
    this.#signals = deployment.signals;
    this.#stable = { id: -1, module: live.module, keepAlive: live.record.keepAlive };
  }

  get agent(): string {
    return this.#live.record.name;
  }

  /** Loads the new version warm beside the old and starts the strategy (under the agent's lock). */
  async begin(): Promise<void> {
    const agents = this.#agents;
    const live = this.#live;
    await agents.ensureInstance(live);
    // Kept warm while two versions serve: the passivation sweep skips it (issue 21).
    live.record = { ...live.record, keepAlive: true };
    await agents.direct.disable(live.instanceId);
    this.#stable.id = live.instanceId!;
    this.#stable.module = live.module;
    const loaded = await agents.startInstance(
      live,
      this.#build.module,
      this.#build.limits,
      this.#build.isolation,
    );
    // One instance: a pooled agent cannot be rolled out (Deployments.deploy refuses it).
    this.#candidate = loaded.instanceIds[0]!;
    this.#initEffects = {
      ...loaded.effects,
      instanceId: this.#candidate,
      seq: 0,
      failure: null,
      trapped: false,
    };
    const strategy = this.#options.strategy;
    this.#signals.started();
    if (strategy === "shadow") {
      this.#shadow = new ShadowCopy(live, agents.deps.pool, {
        stable: this.#stable.id,
        shadow: this.#candidate,
      }, this.#stats.candidate);
      this.#shadow.connect();
      this.#setStatus("shadowing");
      if (this.#options.durationMs > 0) {
        this.#timer = setTimeout(() => void this.promote(), this.#options.durationMs);
      }
      return;
    }
    agents.byInstance.set(this.#candidate, live);
    this.#split = new TwoVersions(live, agents.deps.pool, this.#stable.id, this.#candidate);
    this.#split.connect();
    if (strategy === "bluegreen") {
      this.#switchTo("candidate");
      this.#record({ kind: "switch", share: 100 });
      this.#setStatus("switched");
      this.#timer = setTimeout(() => void this.#finish("completed"), this.#options.graceMs);
      return;
    }
    this.#split.share = this.#options.steps[0]!;
    this.#record({ kind: "step", share: this.#split.share });
    this.#setStatus("progressing");
    this.#timer = setTimeout(() => this.#analyse(), this.#options.intervalMs);
  }

  /**
   * Sees an outcome before the manager applies it; true means "not the
   * agent's" (the shadow's), which the manager must not apply.
   */
  observe(outcome: Outcome): boolean {
    if (this.#shadow) {
      if (outcome.instanceId === this.#stable.id) this.#stats.stable.record(outcome);
      return this.#shadow.observe(outcome);
    }
    if (!this.#split?.has(outcome.instanceId)) return false;
    this.#split.observe(outcome);
    const stats = outcome.instanceId === this.#candidate
      ? this.#stats.candidate
      : this.#stats.stable;
    stats.record(outcome);
    return false;
  }

  /** Whether `instanceId` is one of this rollout's. */
  owns(instanceId: number): boolean {
    return instanceId === this.#stable.id || instanceId === this.#candidate;
  }

  /** Canary: one analysis, then a step up, a promotion, a hold or a rollback. */
  #analyse(): void {
    if (this.#ending) return;
    const stable = this.#stats.stable.figures();
    const candidate = this.#stats.candidate.figures();
    const verdict = analyse(stable, candidate, this.#options.thresholds);
    this.#stats.stable.reset();
    this.#stats.candidate.reset();
    const share = this.#split!.share;
    this.#record({
      kind: "analysis",
      share,
      passed: verdict.kind === "passed",
      ...(verdict.kind === "passed" ? {} : { reason: verdict.reason }),
      stable,
      candidate,
    });
    if (
      verdict.kind === "failed" && ++this.#failedChecks >= this.#options.thresholds.failureThreshold
    ) {
      void this.rollback(`analysis failed: ${verdict.reason}`);
      return;
    }
    if (verdict.kind === "passed") {
      if (share >= 100 || this.#step + 1 >= this.#options.steps.length) {
        void this.promote();
        return;
      }
      this.#split!.share = this.#options.steps[++this.#step]!;
      this.#record({ kind: "step", share: this.#split!.share });
    }
    this.#save();
    this.#timer = setTimeout(() => this.#analyse(), this.#options.intervalMs);
  }

  /** Makes the new version the agent's (canary: now; blue-green: ends the grace period; shadow: ends the copy). */
  promote(): Promise<void> {
    if (this.#shadow) return this.#finish("completed");
    if (this.#options.strategy === "canary" && !this.#ending) {
      this.#switchTo("candidate");
      this.#record({ kind: "promote", share: 100 });
    }
    return this.#finish(this.#options.strategy === "canary" ? "promoted" : "completed");
  }

  /** Gives the agent back to the old version, at once. */
  rollback(reason: string): Promise<void> {
    if (this.#ending) return this.#ending;
    this.report.reason = reason;
    if (!this.#shadow && this.#live.instanceId === this.#candidate) this.#switchTo("stable");
    if (this.#split) this.#split.share = 0;
    this.#record({ kind: "rollback", share: 0, reason });
    return this.#finish("rolled_back");
  }

  /**
   * A worker holding one of its instances was lost (called before the manager
   * restarts the agents it held): the rollout ends at once, as a node restart
   * would end it — the agent keeps the version its record names (the old one,
   * or the new one after a blue-green switch). If that version's instance
   * survived it serves on: what the lost instance had in flight is answered
   * with failure (as for any lost worker) and the survivor gets its writes.
   * Otherwise the other instance is unloaded and the manager restarts the
   * agent as usual, the queued messages waiting for it.
   */
  lost(instanceIds: readonly number[], reason: string): void {
    // An end under way waits for the retired instance to go idle: a lost one never will.
    for (const id of instanceIds) this.#split?.lost(id);
    if (this.#ending) return;
    clearTimeout(this.#timer);
    const agents = this.#agents;
    const live = this.#live;
    const own = live.instanceId!;
    const other = own === this.#stable.id ? this.#candidate : this.#stable.id;
    const keptNew = this.record.toVersion !== null;
    this.report.reason = `a worker was lost mid-rollout (${reason}); ${
      keptNew ? `version ${this.record.toVersion} kept` : "rolled back to the version the agent had"
    }`;
    agents.byInstance.delete(other);
    live.record = { ...live.record, keepAlive: this.#stable.keepAlive };
    if (instanceIds.includes(own)) {
      if (!instanceIds.includes(other)) agents.deps.pool.unload(other);
    } else {
      if (this.#split?.current === other) {
        const { router } = agents.deps;
        for (const envelope of live.mailbox.takeInFlight()) {
          router.complete(envelope, reason);
          router.fail(envelope.message, live.record.name, "handling_failed", reason);
        }
      }
      this.#split?.flushTo(own);
      agents.connect(live);
    }
    if (this.#shadow) this.report.shadow = this.#shadow.report();
    this.#record({ kind: keptNew ? "retire" : "rollback", share: keptNew ? 100 : 0, reason });
    this.#ending = Promise.resolve();
    this.#setStatus(keptNew ? "completed" : "rolled_back");
    this.#signals.ended(this.status, this.report.reason);
    agents.log.log("warn", "deployment ended: a worker was lost", {
      "caxton.agent.name": live.record.name,
      deployment: this.record.id,
      status: this.status,
    });
    this.#onEnd(this);
  }

  /** The version that takes all traffic becomes the agent's version (persisted). */
  #switchTo(which: "candidate" | "stable"): void {
    const agents = this.#agents;
    const live = this.#live;
    const toCandidate = which === "candidate";
    this.#split!.share = toCandidate ? 100 : 0;
    const hash = toCandidate ? this.record.toHash : this.record.fromHash;
    const build = toCandidate ? this.#build : this.#build.previous;
    agents.newVersion(live, hash, build.limits, build.isolation, build.language);
    live.instanceId = toCandidate ? this.#candidate : this.#stable.id;
    live.module = toCandidate ? this.#build.module : this.#stable.module;
    if (toCandidate) {
      this.record.toVersion = live.record.version;
      if (this.#initEffects) agents.effects.apply(live, { ...this.#initEffects, stateChanges: [] });
    }
  }

  /** Ends the rollout: the version that keeps no traffic is retired once idle. */
  #finish(status: RolloutStatus): Promise<void> {
    this.#ending ??= this.#end(status);
    return this.#ending;
  }

  async #end(status: RolloutStatus): Promise<void> {
    clearTimeout(this.#timer);
    const agents = this.#agents;
    const live = this.#live;
    const keep = live.instanceId!;
    const gone = keep === this.#candidate ? this.#stable.id : this.#candidate;
    if (this.#shadow) this.report.shadow = this.#shadow.report();
    if (this.#split) await this.#split.idle(gone);
    await agents.locked(live.record.name, () => {
      this.#split?.flushTo(keep);
      agents.byInstance.delete(gone);
      agents.deps.pool.unload(gone);
      live.record = { ...live.record, keepAlive: this.#stable.keepAlive };
      if (live.record.state === "running") agents.connect(live);
      return Promise.resolve();
    });
    if (this.#split) {
      this.report.switchWaitMs = Math.round(this.#split.longestSwitchWaitMs * 1000) / 1000;
    }
    this.#record({ kind: "retire", share: keep === this.#candidate ? 100 : 0 });
    this.#setStatus(status);
    this.#signals.ended(status, this.report.reason);
    agents.log.log("info", "deployment ended", {
      "caxton.agent.name": live.record.name,
      deployment: this.record.id,
      status,
    });
    this.#onEnd(this);
  }

  /** The report as of now (the shadow's comparison included). */
  liveReport(): RolloutReport {
    if (this.#shadow) this.report.shadow = this.#shadow.report();
    return this.report;
  }

  /** Stops the analysis and grace clocks (the node is closing; a restart ends the rollout). */
  stopClock(): void {
    clearTimeout(this.#timer);
  }

  #record(step: Omit<StepRecord, "at">): void {
    this.report.share = step.share;
    this.report.steps.push({ at: Date.now(), ...step });
    this.#signals.step(step);
    // An event per step, beside traps and restarts in the agent's events (GET …/events).
    this.#agents.deps.store.agents.recordEvent(
      this.#live.record.id,
      "deployment",
      `deployment ${this.record.id} ${step.kind}: share ${step.share}%${
        step.passed === undefined ? "" : step.passed ? ", passed" : ", failed"
      }${step.reason ? ` (${step.reason})` : ""}`,
    );
    this.#agents.log.log("info", `deployment ${step.kind}`, {
      "caxton.agent.name": this.#live.record.name,
      deployment: this.record.id,
      share: step.share,
      ...(step.reason ? { reason: step.reason } : {}),
    });
  }

  #setStatus(status: RolloutStatus): void {
    this.status = status;
    this.#save();
  }

  #save(): void {
    if (this.#shadow) this.report.shadow = this.#shadow.report();
    this.record.status = this.status;
    this.#agents.deps.store.deployments.update(
      this.record.id,
      this.status,
      this.record.toVersion,
      this.report as unknown as Record<string, unknown>,
    );
  }
}
