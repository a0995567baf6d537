/**
 * The `caxton` command line: finds the command by noun and verb, parses its
 * options, runs it, and turns errors into one line, a remedy and an exit code.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { VERSION } from "../version.ts";
import { BackupError } from "../store/mod.ts";
import { ConfigError } from "../config/mod.ts";
import { ApiClient } from "./client.ts";
import { type Command, GLOBAL_OPTIONS } from "./command_types.ts";
import { COMMANDS } from "./command_list.ts";
import { CliError, EXIT } from "./exit.ts";
import { processOutput } from "./output.ts";
import { resolveSettings } from "./settings.ts";

/** The help text, generated from the command list. */
export function usage(commands: readonly Command[] = COMMANDS): string {
  const rows = commands.map((c) => [
    `caxton ${c.noun}${c.verb ? ` ${c.verb}` : ""}${c.usage ? ` ${c.usage}` : ""}`,
    c.summary,
  ]);
  return `caxton ${VERSION} — a server for multi-agent systems

Usage:
${rows.map(([cmd, summary]) => `  ${cmd}\n      ${summary}`).join("\n")}

Global options: --server URL  --token T  --data-dir DIR  --config FILE  --json  -h/--help
Finding the server, first found wins: --server, CAXTON_SERVER, "server" in the CLI file
CAXTON_CLI_CONFIG (default ~/.config/caxton/cli.json: {"server": …, "token": …}); then the
node as \`caxton serve\` is configured here: the running node recorded in DIR/node.json
(--data-dir, CAXTON_DATA_DIR, the config file, or ./.caxton), then CAXTON_HOST/CAXTON_PORT,
the config file (--config or CAXTON_CONFIG), or http://127.0.0.1:8080. Token: --token,
CAXTON_TOKEN, then "token" in the CLI file.
Server settings (serve): flags, then CAXTON_* environment variables, then --config FILE.
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 no server, 5 refused, 6 timeout.`;
}

function _allOptions(): NonNullable<ParseArgsConfig["options"]> {
  const all = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(all, c.options ?? {});
  return all;
}

function _find(positionals: string[]): { command: Command; rest: string[] } | null {
  const [noun, verb] = positionals;
  const withVerb = COMMANDS.find((c) => c.noun === noun && c.verb === verb);
  if (withVerb) return { command: withVerb, rest: positionals.slice(2) };
  const single = COMMANDS.find((c) => c.noun === noun && c.verb === undefined);
  if (single) return { command: single, rest: positionals.slice(1) };
  return null;
}

/** Runs `caxton <args>`; resolves with the exit code. */
export async function main(
  args: string[],
  env: Record<string, string> = Deno.env.toObject(),
): Promise<number> {
  try {
    // A loose pass finds the command; a strict pass checks its options.
    const loose = parseArgs({
      args,
      options: _allOptions(),
      allowPositionals: true,
      strict: false,
    });
    const found = _find(loose.positionals);
    if (!found) {
      const [noun] = loose.positionals;
      if (noun === undefined || noun === "help" || loose.values.help) {
        console.log(usage());
        return EXIT.ok;
      }
      const verbs = COMMANDS.filter((c) => c.noun === noun && c.verb).map((c) => c.verb);
      throw new CliError(
        verbs.length > 0
          ? `unknown command "${loose.positionals.slice(0, 2).join(" ")}"; ${noun} takes ${
            verbs.join(", ")
          }`
          : `unknown command "${noun}"; run \`caxton --help\` for the commands`,
        EXIT.usage,
      );
    }
    const { command } = found;
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
      });
    } catch (error) {
      throw new CliError(
        `${(error as Error).message}; run \`caxton ${command.noun}${
          command.verb ? ` ${command.verb}` : ""
        } --help\``,
        EXIT.usage,
      );
    }
    const name = `caxton ${command.noun}${command.verb ? ` ${command.verb}` : ""}`;
    if (parsed.values.help) {
      console.log(`${name} ${command.usage}\n  ${command.summary}`);
      return EXIT.ok;
    }
    const output = processOutput(parsed.values.json === true, env);
    let client: ApiClient | null = null;
    const code = await command.run({
      args: parsed.positionals.slice(command.verb ? 2 : 1),
      values: parsed.values,
      output,
      env,
      client: () =>
        client ??= new ApiClient(
          resolveSettings(
            {
              server: parsed.values.server as string | undefined,
              token: parsed.values.token as string | undefined,
              dataDir: parsed.values["data-dir"] as string | undefined,
              config: parsed.values.config as string | undefined,
            },
            env,
          ),
        ),
    });
    return code ?? EXIT.ok;
  } catch (error) {
    return _report(error as Error);
  }
}

function _report(error: Error): number {
  if (error instanceof CliError) {
    console.error(`caxton: ${error.message}${error.remedy ? ` — ${error.remedy}` : ""}`);
    return error.exitCode;
  }
  console.error(`caxton: ${error.message}`);
  if (error instanceof ConfigError || error instanceof BackupError || error instanceof TypeError) {
    return EXIT.usage;
  }
  return EXIT.failure;
}
