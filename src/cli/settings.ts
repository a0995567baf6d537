/**
 * Where the CLI finds its server and token: flags, then environment
 * (`CAXTON_SERVER`, `CAXTON_TOKEN`), then a JSON file (`CAXTON_CLI_CONFIG`, or
 * `$XDG_CONFIG_HOME/caxton/cli.json`, or `~/.config/caxton/cli.json`).
 */
import { join } from "node:path";
import { CliError, EXIT } from "./exit.ts";

/** The client side settings. */
export interface ClientSettings {
  server: string;
  token: string | null;
  /** Where the file came from, if one was read. */
  file: string | null;
}

/** Default server: what `caxton serve` listens on by default. */
export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/** The config file path for an environment. */
export function settingsPath(env: Record<string, string>): string | null {
  if (env.CAXTON_CLI_CONFIG) return env.CAXTON_CLI_CONFIG;
  const base = env.XDG_CONFIG_HOME ?? (env.HOME ? join(env.HOME, ".config") : null);
  return base ? join(base, "caxton", "cli.json") : null;
}

function _readFile(path: string | null, explicit: boolean): Record<string, unknown> {
  if (path === null) return {};
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && !explicit) return {};
    throw new CliError(`Cannot read CLI config "${path}": ${(error as Error).message}`, EXIT.usage);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("expected an object");
    }
    return value;
  } catch (error) {
    throw new CliError(
      `Cannot parse CLI config "${path}": ${(error as Error).message}`,
      EXIT.usage,
      'Write it as {"server": "http://127.0.0.1:8080", "token": "…"}',
    );
  }
}

/** Resolves the settings from flags, environment and file. */
export function resolveSettings(
  flags: { server?: string; token?: string },
  env: Record<string, string>,
): ClientSettings {
  const path = settingsPath(env);
  const file = _readFile(path, Boolean(env.CAXTON_CLI_CONFIG));
  const server = flags.server ?? env.CAXTON_SERVER ?? (file.server as string | undefined) ??
    DEFAULT_SERVER;
  try {
    const url = new URL(server);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new CliError(
      `Cannot use server "${server}": expected an http(s) URL such as ${DEFAULT_SERVER}`,
      EXIT.usage,
    );
  }
  const token = flags.token ?? env.CAXTON_TOKEN ?? (file.token as string | undefined) ?? null;
  return {
    server: server.replace(/\/+$/, ""),
    token,
    file: Object.keys(file).length > 0 ? path : null,
  };
}
