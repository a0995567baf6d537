/**
 * Every `caxton` command, in help order. To add one, write a
 * {@linkcode Command} (as commands/scaffold.ts does for `caxton agent new`)
 * and list it here; help, dispatch and shell completion pick it up.
 */
import type { Command } from "./command_types.ts";
import { AGENT_COMMANDS } from "./commands/agent.ts";
import { AGENT_STATE_COMMANDS } from "./commands/agent_state.ts";
import { CAPABILITY_COMMANDS } from "./commands/capability.ts";
import { CLUSTER_COMMANDS } from "./commands/cluster.ts";
import { completionCommand } from "./commands/completion.ts";
import { MCP_COMMANDS } from "./commands/mcp.ts";
import { MESSAGE_COMMANDS } from "./commands/message.ts";
import { NODE_COMMANDS } from "./commands/node.ts";
import { SCAFFOLD_COMMANDS } from "./commands/scaffold.ts";
import { SECURITY_COMMANDS } from "./commands/security.ts";
import { AUDIT_COMMANDS } from "./commands/audit.ts";
import { SERVER_COMMANDS } from "./commands/server.ts";
import { TIMER_COMMANDS } from "./commands/timer.ts";
import { ROLLOUT_COMMANDS } from "./commands/rollout.ts";
import { TRACE_COMMANDS } from "./commands/trace.ts";

export const COMMANDS: readonly Command[] = [
  ...NODE_COMMANDS.filter((c) => c.noun === "serve"),
  ...SCAFFOLD_COMMANDS,
  ...AGENT_COMMANDS,
  ...AGENT_STATE_COMMANDS,
  ...ROLLOUT_COMMANDS,
  ...MESSAGE_COMMANDS,
  ...SERVER_COMMANDS,
  ...CLUSTER_COMMANDS,
  ...CAPABILITY_COMMANDS,
  ...TIMER_COMMANDS,
  ...TRACE_COMMANDS,
  ...MCP_COMMANDS,
  ...SECURITY_COMMANDS,
  ...AUDIT_COMMANDS,
  ...NODE_COMMANDS.filter((c) => c.noun !== "serve"),
  completionCommand(() => COMMANDS),
];
