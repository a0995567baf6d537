/**
 * The store keeps its own copies of the shapes it stores (layers import downward
 * only), so src/lifecycle reads an `AgentRecord` as its own types by plain
 * assignment. This file is the type-level guard that makes that safe: if
 * `StoredAgentState`, `StoredIsolation` or `StoredLimits` ever drift from
 * `AgentState`, `Isolation` or `AgentLimits`, `deno task check` fails here.
 * It has no runtime code.
 */
import type { StoredAgentState, StoredIsolation, StoredLimits } from "../store/mod.ts";
import type { AgentLimits, Isolation } from "../runtime/mod.ts";
import type { AgentState } from "./agent_state.ts";

// True only when each type is assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

/** Each stored shape and its lifecycle/runtime counterpart, checked both ways. */
export type StoredShapesMatch = [
  Holds<Same<StoredAgentState, AgentState>>,
  Holds<Same<StoredIsolation, Isolation>>,
  Holds<Same<StoredLimits, AgentLimits>>,
];
