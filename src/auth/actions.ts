/**
 * What a caller may be allowed to do. Every route of the API maps to one
 * action (route_table.ts); roles grant actions (roles.ts).
 */

export const ACTIONS = [
  "agents.read",
  "agents.deploy",
  "agents.lifecycle",
  "state.read",
  "messages.send",
  "messages.read",
  "participants.manage",
  "participants.act",
  "tools.read",
  "mcp.use",
  "cluster.read",
  "backup.create",
  "metrics.read",
  "keys.manage",
  "audit.read",
  "self.read",
] as const;

/** One action. */
export type Action = typeof ACTIONS[number];

/** Whether `value` names an action. */
export function isAction(value: unknown): value is Action {
  return (ACTIONS as readonly unknown[]).includes(value);
}
