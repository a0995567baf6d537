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

/** An agent's record, mailbox, instance and counters. */
export interface LiveAgent {
  record: AgentRecord;
  mailbox: Mailbox;
  module: WebAssembly.Module | null;
  instanceId: number | null;
  /** Whether new messages are accepted into the mailbox. */
  accepting: boolean;
  trapTimes: number[];
  counters: AgentCounters;
}
