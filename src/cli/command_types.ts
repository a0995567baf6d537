/**
 * The shape of a subcommand. Each noun's module exports its commands; the
 * dispatcher (main.ts) finds them in {@linkcode COMMANDS} by noun and verb, so
 * a new one (e.g. `caxton agent new`) is one entry in one list.
 */
import type { ParseArgsConfig } from "node:util";
import type { ApiClient } from "./client.ts";
import type { Output } from "./output.ts";

/** What a running command gets. */
export interface CommandContext {
  /** Positional arguments after the noun and verb. */
  args: string[];
  /** Parsed options (the command's own and the global ones). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  output: Output;
  env: Record<string, string>;
  /** A client for the configured server (created on first use). */
  client: () => ApiClient;
}

/** One `caxton <noun> [verb]` command. */
export interface Command {
  noun: string;
  /** Absent for single-word commands (`caxton serve`). */
  verb?: string;
  /** Arguments as shown in help, e.g. `<name> <file.wasm>`. */
  usage: string;
  summary: string;
  /** Options beyond the global ones. */
  options?: ParseArgsConfig["options"];
  /** Resolves with the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  server: { type: "string" },
  token: { type: "string" },
  // Find the node the way `caxton serve` was configured: its data dir (node.json) and config file.
  "data-dir": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};
