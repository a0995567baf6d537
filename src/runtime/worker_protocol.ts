/**
 * The typed protocol between the main thread and an agent worker: one
 * discriminated union per direction, correlated by ids. Nothing else crosses.
 */
import type { AgentLimits } from "../config/mod.ts";

/**
 * One message for one agent instance. `seq` is unique per instance; 0 marks
 * a direct delivery, made by a worker between two of its own agents.
 */
export interface Delivery {
  instanceId: number;
  seq: number;
  /** The ACL message as JSON text: exactly the bytes the agent receives. */
  message: string;
  /** The message's traceparent: what the agent sends while handling it continues the trace. */
  traceparent?: string;
  /** The message names an interaction protocol: the worker reports its conversation's direct messages. */
  observe?: boolean;
  /** The main thread traces this delivery: the outcome carries when handling started and ended. */
  timed?: boolean;
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
  capabilities: CapabilityDeclaration[];
  fuelUsed: number;
  /** Timers set and cancelled, in order; absent when none (and when the run failed). */
  timers?: TimerChange[];
  /** Linear memory after the run (bytes): only for an instance loaded with `watchMemory`. */
  memoryBytes?: number;
}

/** A timer the agent set (`set_timer`) or cancelled (`cancel_timer`) while handling. */
export type TimerChange =
  | { kind: "set"; id: number; delayMs: number; payload: string }
  | { kind: "cancel"; id: number };

/**
 * A capability an agent declares: its name and, so a client (or an LLM) can
 * tell what to send, an optional description and an example of the content
 * it expects. Plain JSON fields, so the capability can grow (a directory).
 */
export interface CapabilityDeclaration {
  name: string;
  description?: string;
  example?: unknown;
  /** Its version, `MAJOR[.MINOR[.PATCH]]` (searched by range, docs/DISCOVERY.md). */
  version?: string;
  /** Flat facts a search can match, e.g. `{"from":"en","to":"fr"}`. */
  attributes?: Record<string, string | number | boolean>;
  /** What a call costs, in the provider's own unit (a search can cap it). */
  cost?: number;
}

/**
 * Why agent code failed a message, as the `code` of the `failure` its sender
 * gets: the wall-clock deadline, the fuel budget, `caxton_alloc` returning 0
 * or a pointer outside memory, or anything else (a trap, a non-zero return).
 */
export type RunFailureCode =
  | "deadline_exceeded"
  | "fuel_exhausted"
  | "out_of_memory"
  | "bad_pointer"
  | "handling_failed";

/** The outcome of one delivery. */
export interface Outcome extends Effects {
  instanceId: number;
  seq: number;
  /** Null when handled; otherwise why the message failed (trap, non-zero return…). */
  failure: string | null;
  /** The failure's code; absent means `handling_failed`. */
  failureCode?: RunFailureCode;
  /** True when the failure was a trap (counts towards Failed). */
  trapped: boolean;
  /** A direct delivery's message (seq 0), so a failure can be answered to its sender. */
  message?: string;
  /** When handling started and ended (ms, performance.timeOrigin-based), for a timed delivery. */
  startedAt?: number;
  endedAt?: number;
  /** The handle span's id the worker named (a timed delivery, tracing on: `trace-direct`). */
  handleSpanId?: string;
  /** A traced direct delivery: when the worker accepted it, and the sender's handling traceparent. */
  routedAt?: number;
  routeParent?: string;
  /** A logged direct delivery's number (see `DirectLogReport`): its log entry ends with this outcome. */
  logRef?: number;
}

/** Direct deliveries that produced nothing else to report, counted per instance. */
export interface DirectTally {
  instanceId: number;
  handled: number;
  fuelUsed: number;
  /** Messages the instance sent directly (not in any outcome's `sends`). */
  sent: number;
}

/**
 * A direct message the main thread must still see: for observers (taps, the
 * protocol monitor) and reply-by deadlines. `at` is when it was routed (ms,
 * performance.timeOrigin-based).
 */
export interface DirectNote {
  message: string;
  at: number;
}

/**
 * With the message log on, what a worker reports about its direct deliveries
 * so the main thread logs them (src/lifecycle/direct_log.ts): each one is
 * numbered per receiving instance when the worker accepts it. `opened`:
 * deliveries accepted, packed by `packOpened` (delivery_codec.ts); `done`:
 * those handled with nothing else to report, as (instanceId, number) pairs.
 * A delivery with an outcome to report carries its number in `Outcome.logRef`.
 */
export interface DirectLogReport {
  opened: string;
  done: number[];
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
    /** A pool member: state writes and timers are refused (docs/POOLS.md). */
    stateless?: boolean;
    /** Report the memory size after init and every message (a deployment's sandbox). */
    watchMemory?: boolean;
  }
  | { kind: "unload"; instanceId: number }
  /**
   * Arms direct delivery to an agent hosted here: the worker holds its own
   * agents' messages to it and answers `direct-armed` (a marker behind every
   * message it sent the main thread before).
   */
  | { kind: "direct"; agent: string; instanceId: number; capacity: number; maxMessageBytes: number }
  /** Every message routed to the agent before the marker has been posted: deliver directly. */
  | { kind: "direct-go"; instanceId: number }
  /** No more direct deliveries to the instance; answer `undirected` once those queued are handled. */
  | { kind: "undirect"; instanceId: number; token: number }
  /** Report every direct message (a tap wants them all), or only what needs reporting. */
  | { kind: "observe"; all: boolean }
  /** Deliveries packed by `packDelivery` (delivery_codec.ts), `count` of them. */
  | { kind: "deliver"; packed: string; count: number }
  /** Another version of the agent wrote state: bring this instance's cache up to date (deployments). */
  | { kind: "state-patch"; instanceId: number; changes: StateChange[] }
  /** Agents whose mailboxes are full (true) or no longer (false): `send` to them returns -2. */
  | { kind: "congestion"; agents: string[]; congested: boolean }
  /** At most `messages` sends per agent per `intervalMs` (0: no quota); over it `send` returns -2. */
  | { kind: "send-quota"; messages: number; intervalMs: number }
  /** First message: nice levels below the main thread (0: unchanged); then the permission is dropped. */
  | { kind: "priority"; nice: number }
  /** The node keeps a message log: report direct deliveries (`DirectLogReport`) so it logs them. */
  | { kind: "log-direct" }
  /** The node traces with span ids workers may name: traced direct deliveries are reported. */
  | { kind: "trace-direct" };

/** Worker → main thread. */
export type FromWorker =
  | { kind: "loaded"; instanceId: number; effects: Effects }
  | { kind: "load-failed"; instanceId: number; reason: string }
  /**
   * Outcomes packed by `packOutcomes` (delivery_codec.ts): the plain ones in `packed`, the
   * others in `rest`. `queued`: deliveries still waiting in the worker's run queue after this chunk.
   */
  | {
    kind: "handled";
    packed: string;
    rest: Outcome[];
    tallies: DirectTally[];
    notes: DirectNote[];
    queued: number;
  }
    & DirectLogReport
  | { kind: "direct-armed"; instanceId: number }
  /**
   * Direct delivery to the instance has ended; `bounced` messages were held and must be routed.
   * `refs`: each one's number when it was logged (`DirectLogReport`), else 0.
   */
  | { kind: "undirected"; token: number; instanceId: number; bounced: string[]; refs: number[] };
