/**
 * What the worker pool reports about agents: delivery outcomes (state,
 * sends, traps), direct-delivery tallies and notes, messages given back, and
 * the loss of a worker with its instances (restarted here).
 */
import type { DirectNote, DirectTally, Outcome, WorkerLoss } from "../runtime/mod.ts";
import type { AgentTable } from "./agent_table.ts";
import { parseReported } from "./effects.ts";
import { countTrap } from "./trap_window.ts";
import { countMember } from "./instance_pool.ts";
import type { Telemetry } from "../telemetry/mod.ts";

/** What the tracer needs of an outcome's handling. */
function handling(outcome: Outcome) {
  return {
    startedAt: outcome.startedAt,
    endedAt: outcome.endedAt,
    fuelUsed: outcome.fuelUsed,
    failure: outcome.failure,
    trapped: outcome.trapped,
    handleSpanId: outcome.handleSpanId,
  };
}

/** A traced direct delivery's spans (route, deliver, handle), under the ids its worker named. */
function tracedDirect(telemetry: Telemetry, receiver: string, outcome: Outcome) {
  if (outcome.routedAt === undefined || outcome.routeParent === undefined) return undefined;
  const message = parseReported(outcome.message);
  if (!message) return undefined;
  return telemetry.deliveredDirect({
    message,
    receiver,
    routedAt: outcome.routedAt,
    routeParent: outcome.routeParent,
    ...handling(outcome),
  });
}

/** Applies the pool's reports to the live agents. */
export class PoolEvents {
  readonly #agents: AgentTable;

  constructor(agents: AgentTable) {
    this.#agents = agents;
  }

  /** Receives delivery outcomes from the pool. */
  onOutcome(outcome: Outcome): void {
    const agents = this.#agents;
    const { router, telemetry, store } = agents.deps;
    // A logged direct delivery (log on) ends with its outcome, like an envelope's.
    const logId = outcome.logRef === undefined
      ? undefined
      : agents.directLog.take(outcome.instanceId, outcome.logRef);
    const live = agents.byInstance.get(outcome.instanceId);
    if (!live) {
      if (logId !== undefined) router.complete({ logId }, "the agent's instance is gone");
      return;
    }
    const envelope = outcome.seq === 0 ? undefined : live.mailbox.complete(outcome.seq);
    const logged = envelope ?? (logId === undefined ? undefined : { logId });
    if (envelope) agents.direct.check(outcome.instanceId);
    // Traced: the deliver and handle spans; what the agent sent continues from the handle span.
    const handledAs = telemetry && (envelope
      ? telemetry.delivered({
        message: envelope.message,
        receiver: live.record.name,
        routedAt: envelope.routedAt,
        ...handling(outcome),
      })
      : tracedDirect(telemetry, live.record.name, outcome));
    // The state a message wrote and the log's word that it was handled commit
    // together, so a crash (or a backup) never sees one without the other.
    const committed = agents.effects.apply(
      live,
      outcome,
      () => {
        if (logged) router.complete(logged, outcome.failure, { durableNow: true });
      },
      envelope,
      handledAs,
    );
    if (logged && !committed) router.complete(logged, outcome.failure);
    live.counters.fuelUsed += outcome.fuelUsed;
    if (live.members) countMember(live, outcome.instanceId);
    if (outcome.failure === null) {
      live.counters.handled++;
      return;
    }
    live.counters.failed++;
    store.agents.recordEvent(live.record.id, "trap", outcome.failure);
    agents.log.log("warn", "agent failed a message", {
      "caxton.agent.name": live.record.name,
      reason: outcome.failure,
    });
    const failed = envelope?.message ?? parseReported(outcome.message);
    if (failed) {
      const code = outcome.failureCode ?? "handling_failed";
      router.fail(failed, live.record.name, code, outcome.failure);
    }
    // Only the agent's own version counts towards Failed: a canary's traps are its analysis' business.
    if (!outcome.trapped || live.instanceId !== outcome.instanceId) return;
    const tooMany = countTrap(live, outcome.failure);
    if (tooMany) agents.fail(live, tooMany);
  }

  /** Counts direct deliveries a worker made that had nothing else to report. */
  onTallies(tallies: DirectTally[]): void {
    for (const tally of tallies) {
      const live = this.#agents.byInstance.get(tally.instanceId);
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
      if (message) this.#agents.deps.router.observeDirect(message, note.at);
    }
  }

  /** Direct deliveries a worker accepted (log on): logged now (direct_log.ts). */
  onDirectOpened(packed: string): void {
    this.#agents.directLog.opened(packed);
  }

  /** Direct deliveries a worker handled with nothing else to report (log on). */
  onDirectDone(pairs: number[]): void {
    this.#agents.directLog.done(pairs);
  }

  /**
   * Messages a worker had held for direct delivery and gives back: routed again, in order.
   * Those it had logged (`refs`) end there, the new route logs them anew.
   */
  onBounced(texts: string[], instanceId = 0, refs: readonly number[] = []): void {
    this.#agents.directLog.bounced(instanceId, refs);
    for (const text of texts) {
      const message = parseReported(text);
      if (message) this.#agents.deps.router.route(message);
    }
  }

  /** Receives the pool's report that a worker was lost with its instances. */
  onWorkerLost(loss: WorkerLoss): void {
    const agents = this.#agents;
    const { router, store } = agents.deps;
    for (const instanceId of loss.instanceIds) {
      const live = agents.byInstance.get(instanceId);
      // Direct deliveries it had accepted (log on) fail like those in flight below.
      for (const open of agents.directLog.lost(instanceId)) {
        router.complete({ logId: open.id }, loss.reason);
        const message = live && parseReported(open.text);
        if (message) router.fail(message, live.record.name, "handling_failed", loss.reason);
      }
      if (!live) continue;
      // A pool's surviving members go too: the whole pool is loaded again below.
      agents.unload(live);
      store.agents.recordEvent(live.record.id, "watchdog", loss.reason);
      agents.log.log("error", "worker lost; restarting its agents", {
        "caxton.agent.name": live.record.name,
        reason: loss.reason,
      });
      for (const envelope of live.mailbox.takeInFlight()) {
        router.complete(envelope, loss.reason);
        router.fail(envelope.message, live.record.name, "handling_failed", loss.reason);
      }
      void agents.locked(live.record.name, async () => {
        if (live.record.state !== "running" && live.record.state !== "draining") return;
        try {
          await agents.instantiate(live);
          agents.connect(live);
        } catch (error) {
          agents.fail(live, `restart after worker loss failed: ${(error as Error).message}`);
        }
      });
    }
  }
}
