/**
 * The typed protocol between the main thread and an agent worker: one
 * discriminated union per direction, correlated by ids. Nothing else crosses.
 */
import type { AgentLimits } from "./limits.ts";

/** One message for one agent instance. `seq` is unique per instance. */
export interface Delivery {
  instanceId: number;
  seq: number;
  /** The ACL message as JSON text: exactly the bytes the agent receives. */
  message: string;
}

/** A state change made while handling (value null = deleted). */
export interface StateChange {
  key: string;
  value: Uint8Array | null;
}

/** A line an agent logged through `caxton.log`. */
export interface AgentLogLine {
  level: number;
  text: string;
  atMs: number;
}

/** What running agent code produced: the effects of one message, or of init. */
export interface Effects {
  /** Messages sent, as JSON text with `sender` set to the agent. */
  sends: string[];
  stateChanges: StateChange[];
  logs: AgentLogLine[];
  /** Capabilities registered during this run. */
  capabilities: string[];
  fuelUsed: number;
}

/** The outcome of one delivery. */
export interface Outcome extends Effects {
  instanceId: number;
  seq: number;
  /** Null when handled; otherwise why the message failed (trap, non-zero return…). */
  failure: string | null;
  /** True when the failure was a trap (counts towards Failed). */
  trapped: boolean;
}

/** Main thread → worker. */
export type ToWorker =
  | {
    kind: "load";
    instanceId: number;
    agentName: string;
    module: WebAssembly.Module;
    limits: AgentLimits;
    state: [string, Uint8Array][];
  }
  | { kind: "unload"; instanceId: number }
  | { kind: "deliver"; batch: Delivery[] }
  /** Agents whose mailboxes are full (true) or no longer (false): `send` to them returns -2. */
  | { kind: "congestion"; agents: string[]; congested: boolean }
  | { kind: "ping"; seq: number };

/** Worker → main thread. */
export type FromWorker =
  | { kind: "loaded"; instanceId: number; effects: Effects }
  | { kind: "load-failed"; instanceId: number; reason: string }
  | { kind: "handled"; batch: Outcome[] }
  | { kind: "pong"; seq: number };
