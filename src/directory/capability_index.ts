/**
 * The directory's index: who declared which capability, by name, so a search
 * costs the providers of one name, not every agent. Whether a provider is
 * live (and its load) is read from the node at search time, so a stopped or
 * failed agent drops out of search and `cap:` routing without being told.
 */
import type { CapabilityRecord } from "../store/mod.ts";
import type { SearchQuery } from "./search_query.ts";
import { parseVersion, satisfies, type Version } from "./version_range.ts";

/** A provider's state and mailbox depth, as the node reports it. */
export interface ProviderStatus {
  state: string;
  load: number;
}

/** One provider of one capability, as searches return it. */
export interface Provider extends CapabilityRecord {
  agent: string;
  state: string;
  load: number;
}

interface _Entry {
  record: CapabilityRecord;
  version: Version | undefined;
}

/**
 * States in which an agent's capabilities are withdrawn: it takes no messages.
 * Anything else (running, or a state that activates on delivery) is live.
 */
const _WITHDRAWN: ReadonlySet<string> = new Set([
  "unloaded",
  "loaded",
  "draining",
  "stopped",
  "failed",
]);

/** Whether an agent in `state` offers its capabilities. */
export function isLive(state: string): boolean {
  return !_WITHDRAWN.has(state);
}

/** Every declared capability by name, then by agent. */
export class CapabilityIndex {
  readonly #byName = new Map<string, Map<string, _Entry>>();
  readonly #byAgent = new Map<string, readonly string[]>();
  readonly #status: (agent: string) => ProviderStatus | undefined;
  #listener: ((agent: string, capabilities: readonly CapabilityRecord[]) => void) | undefined;
  /** Loads what a restart left to load in the background, before a read needs it (issue 21). */
  #pending: (() => void) | undefined;

  /** `status` tells where an agent is; undefined means no such agent. */
  constructor(status: (agent: string) => ProviderStatus | undefined) {
    this.#status = status;
  }

  /** Until `complete` has run, every read runs it first (entries are still being loaded). */
  loadFirst(complete: (() => void) | undefined): void {
    this.#pending = complete;
  }

  #loaded(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.();
  }

  /** How many (agent, capability) declarations are indexed. */
  get size(): number {
    this.#loaded();
    let n = 0;
    for (const names of this.#byAgent.values()) n += names.length;
    return n;
  }

  /** Tells `listener` of every change (a cluster shares them with its other nodes). */
  observe(listener: (agent: string, capabilities: readonly CapabilityRecord[]) => void): void {
    this.#listener = listener;
  }

  /** Replaces everything agent `agent` declares. */
  set(agent: string, capabilities: readonly CapabilityRecord[]): void {
    this.#unindex(agent);
    this.#listener?.(agent, capabilities);
    if (capabilities.length === 0) return;
    for (const record of capabilities) {
      let providers = this.#byName.get(record.name);
      if (!providers) this.#byName.set(record.name, providers = new Map());
      providers.set(agent, {
        record,
        version: record.version === undefined ? undefined : parseVersion(record.version),
      });
    }
    this.#byAgent.set(agent, capabilities.map((c) => c.name));
  }

  /** Forgets agent `agent` (removed). */
  remove(agent: string): void {
    if (this.#byAgent.has(agent)) this.#listener?.(agent, []);
    this.#unindex(agent);
  }

  #unindex(agent: string): void {
    for (const name of this.#byAgent.get(agent) ?? []) {
      const providers = this.#byName.get(name);
      providers?.delete(agent);
      if (providers?.size === 0) this.#byName.delete(name);
    }
    this.#byAgent.delete(agent);
  }

  /** Live providers matching `query`, least loaded first, then by agent name. */
  search(query: SearchQuery): Provider[] {
    this.#loaded();
    const found: Provider[] = [];
    const names = query.name === undefined
      ? [...this.#byName.keys()]
      : this.#byName.has(query.name)
      ? [query.name]
      : [];
    for (const name of names) {
      for (const [agent, entry] of this.#byName.get(name)!) {
        if (!_matches(entry, query)) continue;
        const status = this.#status(agent);
        if (!status || !isLive(status.state)) continue;
        found.push({ ...entry.record, agent, state: status.state, load: status.load });
      }
    }
    found.sort((a, b) => a.load - b.load || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
    return found.length > query.limit ? found.slice(0, query.limit) : found;
  }

  /** The live providers of capability `name` with their load, in no order (for routing). */
  liveProviders(name: string): { agent: string; load: number }[] {
    this.#loaded();
    const providers = this.#byName.get(name);
    if (!providers) return [];
    const live: { agent: string; load: number }[] = [];
    for (const agent of providers.keys()) {
      const status = this.#status(agent);
      if (status && isLive(status.state)) live.push({ agent, load: status.load });
    }
    return live;
  }

  /** Whether any agent, live or not, declares capability `name`. */
  declared(name: string): boolean {
    this.#loaded();
    return this.#byName.has(name);
  }
}

function _matches(entry: _Entry, query: SearchQuery): boolean {
  if (query.version && (!entry.version || !satisfies(entry.version, query.version.range))) {
    return false;
  }
  const record = entry.record;
  if (query.maxCost !== undefined && record.cost !== undefined && record.cost > query.maxCost) {
    return false;
  }
  if (query.attributes) {
    for (const key in query.attributes) {
      const have = record.attributes?.[key];
      if (have === undefined || String(have) !== String(query.attributes[key])) return false;
    }
  }
  return true;
}
