/**
 * Who may call a tool now: the caller's allowlist (default deny; outside
 * participants, `ext:…`, are the operator's and have none) and its limit on
 * calls in flight, counted here.
 */
import { isToolGranted } from "./grants.ts";

/** An agent's grants and its own limits (absent ones take the node's). */
export interface ToolPolicy {
  tools: readonly string[];
  limits: { maxConcurrentCalls?: number; callTimeoutMs?: number };
}

/** Why a call is refused: the `code` and `reason` of the `refuse` answered. */
export interface ToolRefusal {
  code: "tool_not_allowed" | "too_many_tool_calls";
  reason: string;
}

/** Calls in flight per caller. */
export class InFlightCalls {
  readonly #byCaller = new Map<string, number>();

  /** Calls in flight of `caller`. */
  of(caller: string): number {
    return this.#byCaller.get(caller) ?? 0;
  }

  /** Calls in flight, all callers together. */
  get total(): number {
    let n = 0;
    for (const count of this.#byCaller.values()) n += count;
    return n;
  }

  /** Counts a call of `caller` until the returned function is called. */
  begin(caller: string): () => void {
    this.#byCaller.set(caller, this.of(caller) + 1);
    return () => {
      const left = this.of(caller) - 1;
      if (left <= 0) this.#byCaller.delete(caller);
      else this.#byCaller.set(caller, left);
    };
  }
}

/** What a call is checked against. */
export interface ToolCallCheck {
  caller: string;
  /** The caller's policy; undefined for an outside participant or a name that is no agent. */
  policy: ToolPolicy | undefined;
  server: string;
  tool: string;
  /** The node's `maxConcurrentCalls`, for callers without their own. */
  maxConcurrentCalls: number;
  inFlight: InFlightCalls;
}

/** Why `check.caller` may not call now, or null. */
export function toolRefusal(check: ToolCallCheck): ToolRefusal | null {
  const { caller, policy, server, tool } = check;
  const address = `tool:${server}/${tool}`;
  if (!caller.startsWith("ext:")) {
    if (!policy || !isToolGranted(policy.tools, server, tool)) {
      return {
        code: "tool_not_allowed",
        reason:
          `"${caller}" may not call "${address}": it is not in the agent's tools allowlist; deploy the agent with tools ["${server}/${tool}"] or ["${server}/*"]`,
      };
    }
  }
  const max = policy?.limits.maxConcurrentCalls ?? check.maxConcurrentCalls;
  if (check.inFlight.of(caller) >= max) {
    return {
      code: "too_many_tool_calls",
      reason:
        `"${caller}" already has ${max} tool calls in flight (maxConcurrentCalls); wait for an answer and call again`,
    };
  }
  return null;
}
