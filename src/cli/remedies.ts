/**
 * The CLI's own advice for the API's problems. The API's remedies speak HTTP
 * (`POST /api/v1/agents/echo/start`, `?timeout`); a person at the command
 * line needs the command to type, filled in from the problem's fields.
 */

/** An RFC 9457 problem as the API sends it, with Caxton's extension fields. */
export interface ProblemBody {
  type?: string;
  detail?: string;
  remedy?: string;
  agent?: string;
  participant?: string;
  key?: string;
  timeoutMs?: number;
  servers?: string[];
  [extension: string]: unknown;
}

type _Remedy = (p: ProblemBody, agent: string) => string;

const _REMEDIES: Record<string, _Remedy> = {
  agent_not_found: () => "`caxton agent list` shows the agents deployed here",
  participant_not_found: (p) =>
    `send as it with \`caxton message send <receiver> <content> --as ${
      (p.participant ?? "<name>").replace(/^ext:/, "")
    }\`, which registers it`,
  job_not_found: () => "use the id the job was submitted with",
  conversation_not_found: () =>
    'check the id (`caxton message send … --conversation ID` names one); with messageLog "none" nothing is logged',
  state_key_not_found: (_p, agent) => `\`caxton agent state ${agent}\` lists its keys`,
  invalid_module: () =>
    "fix the module and deploy again; docs/ABI.md lists what a module must export and may import",
  invalid_limit: () =>
    "use --limit NAME=N with a limit named in the message, e.g. --limit memoryPages=16",
  invalid_deployment: () => "correct the command; `caxton agent deploy --help` shows its options",
  unknown_tool_server: () =>
    'grant tools of a configured server (`caxton tool list`), or add the server under "mcp" in the node\'s config file (docs/MCP.md)',
  illegal_transition: (_p, agent) => `\`caxton agent get ${agent}\` shows its state`,
  not_running: (_p, agent) => `start it with \`caxton agent start ${agent}\``,
  agent_unavailable: (_p, agent) =>
    `start it with \`caxton agent start ${agent}\`, or retry in a moment`,
  agent_load_failed: (_p, agent) =>
    `its start function or caxton_init failed; \`caxton agent logs ${agent}\` shows why`,
  unknown_receiver: () =>
    "address a deployed agent (`caxton agent list`) or a participant ext:<name>",
  mailbox_full: () => "the receiver is behind; retry in a moment",
  message_too_large: (_p, agent) =>
    `send less, or redeploy with a higher limit: \`caxton agent deploy ${agent} <file.wasm> --limit maxMessageBytes=N\``,
  reply_timeout: (p, agent) =>
    `wait longer with --timeout MS${
      p.timeoutMs === undefined ? "" : ` (this waited ${p.timeoutMs} ms)`
    }; \`caxton agent logs ${agent}\` shows whether it failed`,
  shutting_down: () => "retry once the node is back up (`caxton server status`)",
  starting: () => "retry in a moment; `caxton server status` says when it is ready",
  payload_too_large: () =>
    "send less, or raise maxRequestBytes (CAXTON_MAX_REQUEST_BYTES) on the server",
};

/** The CLI remedy for a problem, or undefined when the CLI has none of its own. */
export function cliRemedy(problem: ProblemBody): string | undefined {
  const code = problem.type?.split("/").at(-1);
  const remedy = code === undefined ? undefined : _REMEDIES[code];
  return remedy?.(problem, problem.agent ?? "<name>");
}
