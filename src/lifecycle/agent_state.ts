/**
 * The agent lifecycle as a state machine. Every change of state goes through
 * {@linkcode assertTransition} so an illegal move is refused with the same
 * clear error wherever it is attempted.
 */

/** Where an agent is in its life. */
export type AgentState = "unloaded" | "loaded" | "running" | "draining" | "stopped" | "failed";

/** Every state, in lifecycle order. */
export const AGENT_STATES: readonly AgentState[] = [
  "unloaded",
  "loaded",
  "running",
  "draining",
  "stopped",
  "failed",
];

// Which moves are legal. Draining → running is the hot-reload hand-over back to the
// (new) version; stopped/failed → loaded is a restart.
const _ALLOWED: Record<AgentState, readonly AgentState[]> = {
  unloaded: ["loaded", "failed"],
  loaded: ["running", "stopped", "failed", "unloaded"],
  running: ["draining", "failed"],
  draining: ["stopped", "running", "failed"],
  stopped: ["loaded", "unloaded", "failed"],
  failed: ["loaded", "unloaded", "stopped"],
};

/** Raised when a lifecycle move is not allowed from the agent's current state. */
export class IllegalTransitionError extends Error {
  readonly code = "illegal_transition";
  constructor(readonly agent: string, readonly from: AgentState, readonly to: AgentState) {
    super(
      `Cannot move agent "${agent}" from ${from} to ${to}; from ${from} it may go to ${
        _ALLOWED[from].join(", ")
      }`,
    );
    this.name = "IllegalTransitionError";
  }
}

/** Whether an agent in `from` may move to `to`. */
export function canTransition(from: AgentState, to: AgentState): boolean {
  return _ALLOWED[from].includes(to);
}

/** Throws {@linkcode IllegalTransitionError} unless `from → to` is legal. */
export function assertTransition(agent: string, from: AgentState, to: AgentState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(agent, from, to);
}
