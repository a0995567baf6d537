/** The agent records the store keeps: agents, their moves, their events. */

// The store owns the shapes it keeps (layers import downward only): these mirror
// src/lifecycle's AgentState and src/runtime's AgentLimits/Isolation, and
// src/lifecycle/stored_shapes.ts fails the type check if the two ever drift apart.

/** An agent's lifecycle state as stored (the `state`, `from_state`, `to_state` columns). */
export type StoredAgentState =
  | "unloaded"
  | "loaded"
  | "running"
  | "draining"
  | "stopped"
  | "failed";

/** How an agent shares a worker thread, as stored (the `isolation` column). */
export type StoredIsolation = "shared" | "dedicated";

/** An agent's limits as stored (the `limits` column, JSON). */
export interface StoredLimits {
  fuelPerMessage: number;
  deadlineMs: number;
  memoryPages: number;
  maxMessageBytes: number;
  maxModuleBytes: number;
  maxTraps: number;
  trapWindowMs: number;
}

/** An agent as stored. */
export interface AgentRecord {
  id: number;
  name: string;
  state: StoredAgentState;
  version: number;
  moduleHash: string;
  /** The source language of the current version's module ("rust", "c", … or "unknown"). */
  language: string;
  isolation: StoredIsolation;
  limits: StoredLimits;
  /** The names of the agent's capabilities. */
  capabilities: string[];
  /**
   * The same capabilities with the description and content example the
   * agent gave (stored in the same `capabilities` column: no migration).
   */
  capabilityDetails: CapabilityRecord[];
  /** MCP tools the agent may call: "server/tool" or "server/*" (default: none). */
  tools: string[];
  /** The agent's own limits on tool calls; absent fields take the node's `mcp` settings. */
  toolLimits: ToolLimits;
  /** Kept instantiated while it runs, never passivated when idle (issue 21). */
  keepAlive: boolean;
  /**
   * Pool members that share the name and mailbox (docs/POOLS.md); 1 is a plain
   * agent. With `maxInstances`, the least members the node keeps.
   */
  instances: number;
  /** The most members the node grows the pool to from mailbox depth; null: a fixed size. */
  maxInstances: number | null;
  failure: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A capability as stored: a name, and what the agent said it expects. */
export interface CapabilityRecord {
  name: string;
  description?: string;
  example?: unknown;
  version?: string;
  attributes?: Record<string, string | number | boolean>;
  cost?: number;
}

/** Per-agent limits on MCP tool calls. */
export interface ToolLimits {
  maxConcurrentCalls?: number;
  callTimeoutMs?: number;
}

/** One recorded lifecycle move. */
export interface TransitionRecord {
  id: number;
  from: StoredAgentState;
  to: StoredAgentState;
  version: number;
  reason: string | null;
  /** Why, as data (`{ kind: "reload", version }`); null when the move has no typed cause. */
  cause: TransitionCause | null;
  at: string;
}

/** A transition's cause as stored: a kind and its fields; src/lifecycle narrows it. */
export interface TransitionCause {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** One recorded runtime event (a trap, a watchdog restart…). */
export interface AgentEventRecord {
  id: number;
  kind: string;
  detail: string;
  at: string;
}

/** What is needed to create an agent. */
export interface NewAgent {
  name: string;
  moduleHash: string;
  /** The module's source language (detected or stated); absent: "unknown". */
  language?: string;
  isolation: StoredIsolation;
  limits: StoredLimits;
  /** MCP tools the agent may call (default none). */
  tools?: readonly string[];
  toolLimits?: ToolLimits;
  /** Never passivated when idle (default false). */
  keepAlive?: boolean;
  /** Pool members (default 1: not pooled); with `maxInstances`, the least. */
  instances?: number;
  /** The most pool members the node may run (default null: a fixed size). */
  maxInstances?: number | null;
}

/** Many agents of one module, created together by a bulk deploy (issue 21). */
export interface NewAgents extends Omit<NewAgent, "name"> {
  names: readonly string[];
  /** The moves each agent makes at once, from `unloaded`, with their reasons. */
  moves: readonly { to: StoredAgentState; reason: string }[];
  /** Capabilities each agent starts with. */
  capabilities?: readonly CapabilityRecord[];
}
