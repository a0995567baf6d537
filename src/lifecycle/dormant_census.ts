/**
 * Counts of the agents a node has not adopted since it started (issue 21): a
 * restart reads no agent rows, so these come from one SQL aggregate each,
 * taken the first time they are asked for, less the agents adopted by then;
 * an agent adopted later leaves them. A dormant agent cannot change without
 * being adopted first, so the counts stay exact without reading again.
 */
import type { AgentRecord, Store } from "../store/mod.ts";

/** Agents of one module version. */
export interface ModuleCount {
  module: string;
  version: number;
  agents: number;
}

/** Dormant agents by state and by module version. */
export class DormantCensus {
  readonly #store: Store;
  readonly #adopted: () => Iterable<AgentRecord>;
  #byState: Map<string, number> | null = null;
  #byModule: Map<string, ModuleCount> | null = null;

  /** `adopted` lists the records of the agents adopted so far. */
  constructor(store: Store, adopted: () => Iterable<AgentRecord>) {
    this.#store = store;
    this.#adopted = adopted;
  }

  /** Dormant agents per state (one indexed aggregate the first time). */
  byState(): ReadonlyMap<string, number> {
    if (!this.#byState) {
      this.#byState = this.#store.agents.lookups.countByState();
      for (const record of this.#adopted()) _less(this.#byState, record.state);
    }
    return this.#byState;
  }

  /** Dormant agents per module version (a join over every agent the first time). */
  byModule(): Iterable<ModuleCount> {
    if (!this.#byModule) {
      const byModule = new Map<string, ModuleCount>();
      for (const { hash, version, agents } of this.#store.agents.lookups.countByModule()) {
        byModule.set(_key(hash, version), { module: hash.slice(0, 12), version, agents });
      }
      this.#byModule = byModule;
      for (const record of this.#adopted()) this.#lessModule(record);
    }
    return this.#byModule.values();
  }

  /** `record` was adopted: it is no longer dormant. */
  adopted(record: AgentRecord): void {
    if (this.#byState) _less(this.#byState, record.state);
    if (this.#byModule) this.#lessModule(record);
  }

  #lessModule(record: AgentRecord): void {
    const key = _key(record.moduleHash, record.version);
    const entry = this.#byModule!.get(key);
    if (entry && --entry.agents === 0) this.#byModule!.delete(key);
  }
}

function _key(hash: string, version: number): string {
  return `${hash}\u0000${version}`;
}

function _less(counts: Map<string, number>, state: string): void {
  const n = (counts.get(state) ?? 0) - 1;
  if (n > 0) counts.set(state, n);
  else counts.delete(state);
}
