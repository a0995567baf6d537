/**
 * Loads posted to workers and not yet answered: each resolves with the
 * effects of the instance's start, or rejects with {@linkcode AgentLoadError}
 * when the worker refuses, is lost or the pool closes.
 */
import type { Effects } from "./worker_protocol.ts";

/** Raised when an agent instance cannot be created in a worker. */
export class AgentLoadError extends Error {
  readonly code = "agent_load_failed";
  constructor(readonly agent: string, readonly reason: string) {
    super(`Cannot load agent "${agent}": ${reason}`);
    this.name = "AgentLoadError";
  }
}

interface _Pending {
  resolve: (effects: Effects) => void;
  reject: (error: Error) => void;
  agent: string;
}

/** Load replies awaited, by instance id. */
export class PendingLoads {
  readonly #loads = new Map<number, _Pending>();

  /** Awaits the worker's reply to loading `agent` as `instanceId`. */
  expect(instanceId: number, agent: string): Promise<Effects> {
    return new Promise<Effects>((resolve, reject) =>
      this.#loads.set(instanceId, { resolve, reject, agent })
    );
  }

  /** The worker loaded the instance. */
  loaded(instanceId: number, effects: Effects): void {
    const load = this.#take(instanceId);
    load?.resolve(effects);
  }

  /** The instance will not load (worker refused or lost): its load rejects with `reason`. */
  fail(instanceId: number, reason: string): void {
    const load = this.#take(instanceId);
    load?.reject(new AgentLoadError(load.agent, reason));
  }

  /** Rejects every load still awaited. */
  failAll(reason: string): void {
    for (const id of [...this.#loads.keys()]) this.fail(id, reason);
  }

  #take(instanceId: number): _Pending | undefined {
    const load = this.#loads.get(instanceId);
    this.#loads.delete(instanceId);
    return load;
  }
}
