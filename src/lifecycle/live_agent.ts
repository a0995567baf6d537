/** One agent as the manager holds it while the node runs (internal to src/lifecycle). */
import type { Mailbox } from "../router/mod.ts";
import type { AgentRecord } from "../store/mod.ts";

/** Live counters of one agent since this node started. */
export interface AgentCounters {
  handled: number;
  failed: number;
  traps: number;
  fuelUsed: number;
  sent: number;
}

/** One instance of a pooled agent (docs/POOLS.md). */
export interface PoolMember {
  instanceId: number;
  /** Messages it handled or failed since it was loaded. */
  handled: number;
}

/** An agent's record, mailbox, instance and counters. */
export interface LiveAgent {
  record: AgentRecord;
  mailbox: Mailbox;
  module: WebAssembly.Module | null;
  instanceId: number | null;
  /** A pooled agent's instances (`instanceId` is the first); null for a plain agent. */
  members: PoolMember[] | null;
  /** Whether new messages are accepted into the mailbox. */
  accepting: boolean;
  trapTimes: number[];
  counters: AgentCounters;
  /** An activation under way (activation.ts): messages queue in the mailbox until it ends. */
  activating: Promise<void> | null;
  /** What the passivation sweep saw last: activity since then keeps the instance. */
  seenActivity: number;
  /** When the sweep first saw the agent idle (ms, performance.now), or -1. */
  idleSince: number;
}
