/**
 * The ceiling on live WASM instances (issue 21). Each instance's linear memory
 * is a reservation of its own that takes two kernel memory maps (committed
 * pages, then the reserved rest up to its maximum), and a process past
 * `vm.max_map_count` maps dies at the next allocation (V8 "Fatal JavaScript
 * out of memory") — ~32,000 instances at Linux's default 65,530. So a message
 * for a passivated agent activates it only below the limit; at the limit an
 * idle agent is passivated to make room, and with none idle the message is
 * refused (`instance_limit`) instead of the node dying.
 */
import { InstanceLimitError } from "../router/mod.ts";
import type { LiveAgent } from "./live_agent.ts";

/** Kernel memory maps one live instance takes (measured: 2.0 per `WebAssembly.Memory`). */
export const MAPS_PER_INSTANCE = 2;
/** Share of `vm.max_map_count` left to instances: the rest is the process's own maps and instances unloaded but not yet collected. */
const _SHARE = 0.8;
/** Linux's default `vm.max_map_count`, when /proc cannot be read. */
const _DEFAULT_MAX_MAP_COUNT = 65_530;

/** The kernel's `vm.max_map_count`, or Linux's default when it cannot be read. */
export function readMaxMapCount(): number {
  try {
    const n = Number(Deno.readTextFileSync("/proc/sys/vm/max_map_count").trim());
    return Number.isInteger(n) && n > 0 ? n : _DEFAULT_MAX_MAP_COUNT;
  } catch {
    return _DEFAULT_MAX_MAP_COUNT;
  }
}

/** The limit a node uses: `configured`, or 0 for one derived from `vm.max_map_count` (26,212 at 65,530). */
export function maxLiveInstances(configured: number, maxMapCount = readMaxMapCount()): number {
  if (configured > 0) return configured;
  return Math.floor((maxMapCount * _SHARE) / MAPS_PER_INSTANCE);
}

/** What the limit needs of the agents: their instances, and a way to passivate one. */
export interface InstanceHolders {
  /** Instances now, by id (a pooled agent appears once per member). */
  readonly byInstance: ReadonlyMap<number, LiveAgent>;
  /** Passivates `live` if it is still idle; resolves when done. */
  passivate(live: LiveAgent): Promise<void>;
  /** What `live` took and finished so far (unchanged since the sweep looked: it was quiet). */
  activity(live: LiveAgent): number;
}

/** Figures of the limit, for /metrics. */
export interface InstanceLimitFigures {
  maxLiveInstances: number;
  /** Messages refused because no instance could be made. */
  instanceLimitRefusals: number;
  /** Idle agents passivated early to make room. */
  instanceLimitPassivations: number;
}

/** Admits activations while the node holds fewer live instances than its limit. */
export class InstanceLimit {
  readonly max: number;
  readonly #holders: InstanceHolders;
  /** Instances being made (activations under way) and being given back (passivations asked here). */
  #starting = 0;
  readonly #leaving = new Set<LiveAgent>();
  #refusals = 0;
  #passivations = 0;

  constructor(holders: InstanceHolders, max: number) {
    this.#holders = holders;
    this.max = max;
  }

  get figures(): InstanceLimitFigures {
    return {
      maxLiveInstances: this.max,
      instanceLimitRefusals: this.#refusals,
      instanceLimitPassivations: this.#passivations,
    };
  }

  /** Live instances as the limit counts them: made, being made, less those being given back. */
  get live(): number {
    let leaving = 0;
    for (const live of this.#leaving) leaving += _instancesOf(live);
    return this.#holders.byInstance.size + this.#starting - leaving;
  }

  /**
   * Called before `live` (without an instance) is woken by a message: makes
   * room if it must, or throws {@linkcode InstanceLimitError} — unless
   * `always`, for a message no sender could be told of a refusal (a timer).
   */
  admit(live: LiveAgent, always = false): void {
    const wanted = _instancesOf(live);
    if (this.live + wanted <= this.max) return;
    const idle = this.#idlest();
    if (idle) {
      this.#leaving.add(idle);
      this.#passivations++;
      void this.#holders.passivate(idle).finally(() => this.#leaving.delete(idle));
      if (this.live + wanted <= this.max) return;
    }
    if (always) return;
    this.#refusals++;
    throw new InstanceLimitError(live.record.name, this.max);
  }

  /**
   * Counts `live`'s instances as being made from now until the returned
   * release is called (when its activation ends): a burst of wakes is counted
   * as it comes, not as the activations get their turn.
   */
  reserve(live: LiveAgent): () => void {
    const n = _instancesOf(live);
    this.#starting += n;
    return () => {
      this.#starting -= n;
    };
  }

  /**
   * An agent with an instance and nothing to do: quiet since the passivation
   * sweep last looked first, else any; oldest activation first (the map's order).
   */
  #idlest(): LiveAgent | undefined {
    let fallback: LiveAgent | undefined;
    for (const live of this.#holders.byInstance.values()) {
      if (!this.#idle(live)) continue;
      if (this.#holders.activity(live) === live.seenActivity) return live;
      fallback ??= live;
    }
    return fallback;
  }

  #idle(live: LiveAgent): boolean {
    return !live.record.keepAlive && live.record.state === "running" && live.activating === null &&
      live.mailbox.depth === 0 && live.mailbox.inFlight === 0 && !this.#leaving.has(live);
  }
}

function _instancesOf(live: LiveAgent): number {
  return Math.max(live.record.instances, 1);
}
