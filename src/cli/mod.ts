/**
 * @module
 * The `caxton` command line: noun-verb subcommands, tables for people,
 * `--json` for machines, exit codes that mean something, shell completion.
 * Add a subcommand by listing a {@linkcode Command} in command_list.ts.
 */
export { main, usage } from "./main.ts";
export { COMMANDS } from "./command_list.ts";
export type { Command, CommandContext } from "./command_types.ts";
export { CliError, EXIT } from "./exit.ts";
export { resolveSettings } from "./settings.ts";
export type { ClientSettings } from "./settings.ts";
