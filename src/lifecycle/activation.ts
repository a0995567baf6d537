/**
 * Activation on demand (issue 21): a running agent exists always, but its
 * instance only while it has work. A message for an agent without one queues
 * in its mailbox and wakes it (instantiated from the module compiled once per
 * node, with its state from the store); an agent idle for `passivateAfterMs`
 * gives its instance back. Its lifecycle state stays `running` throughout,
 * and an agent deployed with `keepAlive` is never passivated.
 */
import type { AgentTable } from "./agent_table.ts";
import { InstanceLimit, type InstanceLimitFigures } from "./instance_limit.ts";
import type { LiveAgent } from "./live_agent.ts";

/** Options of {@linkcode Activation}. */
export interface ActivationOptions {
  /** Idle time after which an instance is passivated; 0 never passivates. */
  passivateAfterMs?: number;
  /** Most live instances (instance_limit.ts); absent: no limit. */
  maxLiveInstances?: number;
}

/** Figures of activation on demand. */
export interface ActivationFigures extends InstanceLimitFigures {
  /** Agents with an instance now. */
  active: number;
  activations: number;
  passivations: number;
  /** Activations that failed (the agent went to Failed with the reason). */
  failedActivations: number;
}

/** Wakes agents as messages come, and passivates idle ones. */
export class Activation {
  readonly #agents: AgentTable;
  readonly #afterMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #activations = 0;
  #passivations = 0;
  #failed = 0;
  readonly #limit: InstanceLimit;

  constructor(agents: AgentTable, options: ActivationOptions = {}) {
    this.#agents = agents;
    this.#afterMs = options.passivateAfterMs ?? 0;
    this.#limit = new InstanceLimit({
      byInstance: agents.byInstance,
      passivate: (live) => this.#passivate(live, _activity(live)),
      activity: _activity,
    }, options.maxLiveInstances ?? Infinity);
  }

  /** Starts the passivation sweep (a node calls it once its agents are adopted). */
  start(): void {
    if (this.#afterMs <= 0 || this.#timer !== undefined || this.#closed) return;
    // A quarter of the idle time: an instance goes between 1 and 1.25 times it after its last work.
    const every = Math.min(Math.max(Math.floor(this.#afterMs / 4), 5), 5_000);
    this.#timer = setInterval(() => this.#sweep(), every);
  }

  get figures(): ActivationFigures {
    return {
      active: this.#agents.byInstance.size,
      activations: this.#activations,
      passivations: this.#passivations,
      failedActivations: this.#failed,
      ...this.#limit.figures,
    };
  }

  /**
   * Before a message wakes `live`: makes room for its instance, or throws
   * `InstanceLimitError` (unless `always`: then it goes over the limit).
   */
  admit(live: LiveAgent, always = false): void {
    this.#limit.admit(live, always);
  }

  /**
   * Activates `live` if it runs without an instance; resolves when it has one
   * (or could not get one). Messages that arrive meanwhile wait in its mailbox,
   * in order. Timers and the endpoint call this.
   */
  activate(live: LiveAgent): Promise<void> {
    if (live.activating) return live.activating;
    if (live.instanceId !== null || live.record.state !== "running" || this.#closed) {
      return Promise.resolve();
    }
    const agents = this.#agents;
    const release = this.#limit.reserve(live);
    const activating = agents.locked(live.record.name, async () => {
      // Stopped, removed, reloaded or woken by someone else while this waited for the lock.
      if (live.instanceId !== null || live.record.state !== "running") return;
      if (agents.byName.get(live.record.name) !== live) return;
      await agents.instantiate(live);
      this.#activations++;
      live.idleSince = -1;
      agents.connect(live);
    }).catch((error) => {
      if (this.#closed) return; // the node is closing: the log redelivers after a restart
      this.#failed++;
      agents.fail(live, `activation failed: ${(error as Error).message}`);
    }).finally(() => {
      release();
      live.activating = null;
    });
    live.activating = activating;
    return activating;
  }

  /** Stops the sweep; activations that fail from now on leave the agent as it is. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Looks at agents with an instance only: the cost follows the active ones, not all. */
  #sweep(): void {
    const now = performance.now();
    for (const live of this.#agents.byInstance.values()) {
      if (live.record.keepAlive || live.record.state !== "running") continue;
      const activity = _activity(live);
      if (activity !== live.seenActivity || live.mailbox.depth > 0 || live.activating) {
        live.seenActivity = activity;
        live.idleSince = -1;
        continue;
      }
      if (live.idleSince < 0) live.idleSince = now;
      else if (now - live.idleSince >= this.#afterMs) void this.#passivate(live, activity);
    }
  }

  #passivate(live: LiveAgent, activity: number): Promise<void> {
    const agents = this.#agents;
    live.idleSince = -1;
    return agents.locked(live.record.name, async () => {
      if (live.instanceId === null || live.record.state !== "running") return;
      // Direct delivery (log off) is turned off first: the worker hands back what it held.
      await agents.direct.disable(live.instanceId);
      if (live.mailbox.depth > 0 || _activity(live) !== activity) {
        agents.connect(live); // work came meanwhile: keep the instance
        return;
      }
      // Its state is in the store already (written with each message's outcome).
      agents.unload(live);
      this.#passivations++;
    });
  }
}

/** Messages taken and finished: a change since the sweep looked means the agent worked. */
function _activity(live: LiveAgent): number {
  return live.mailbox.accepted + live.counters.handled + live.counters.failed;
}
