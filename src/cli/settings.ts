/**
 * Where the CLI finds its server and token. The server, first found wins:
 * `--server`, `CAXTON_SERVER`, the CLI's JSON file (`CAXTON_CLI_CONFIG`, or
 * `$XDG_CONFIG_HOME/caxton/cli.json`, or `~/.config/caxton/cli.json`); else
 * the node found the way `caxton serve` is configured: the running node
 * recorded in the data dir (`<dataDir>/node.json`, dataDir from `--data-dir`,
 * `CAXTON_DATA_DIR`, the config file or `.caxton`), then the address from
 * `CAXTON_HOST`/`CAXTON_PORT`, the config file (`--config` or `CAXTON_CONFIG`)
 * or the default. Each candidate carries why it was chosen, for the messages.
 */
import { join } from "node:path";
import { configFileOf, loadConfig, nodeRecordPath, readNodeRecord } from "../config/mod.ts";
import { CliError, EXIT } from "./exit.ts";

/** A server URL and why the CLI tries it. */
export interface ServerCandidate {
  url: string;
  /** e.g. `--server`, `CAXTON_SERVER`, `running node pid 42 in .caxton/node.json`, `default`. */
  source: string;
}

/** The client side settings. */
export interface ClientSettings {
  /** Where to look, in order: the first that answers is used. */
  servers: ServerCandidate[];
  token: string | null;
  /** Where the CLI file came from, if one was read. */
  file: string | null;
}

/** What the command line says about finding the server. */
export interface ClientFlags {
  server?: string;
  token?: string;
  /** The node's data dir, to find its `node.json`. */
  dataDir?: string;
  /** The node's config file. */
  config?: string;
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

function _checked(server: string, source: string): ServerCandidate {
  try {
    const url = new URL(server);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new CliError(
      `Cannot use server "${server}" from ${source}: expected an http(s) URL such as ${DEFAULT_SERVER}`,
      EXIT.usage,
    );
  }
  return { url: server.replace(/\/+$/, ""), source };
}

/** A listening address made reachable: a wildcard host is reached on loopback. */
function _reachable(url: string): string {
  const u = new URL(url);
  if (u.hostname === "0.0.0.0") u.hostname = "127.0.0.1";
  if (u.hostname === "[::]") u.hostname = "[::1]";
  return u.origin;
}

/** The node as `caxton serve` would be configured here: its record, then its address. */
function _configuredNode(flags: ClientFlags, env: Record<string, string>): ServerCandidate[] {
  const file = configFileOf(flags.config, env);
  const config = loadConfig({ file, env, flags: { dataDir: flags.dataDir } });
  const found: ServerCandidate[] = [];
  const record = readNodeRecord(config.dataDir);
  if (record?.url) {
    found.push({
      url: _reachable(record.url),
      source: `running node pid ${record.pid} recorded in ${nodeRecordPath(config.dataDir)}`,
    });
  }
  const fromEnv = env.CAXTON_HOST !== undefined || env.CAXTON_PORT !== undefined;
  const fromFile = file && ("host" in file.values || "port" in file.values);
  const source = fromEnv
    ? "CAXTON_HOST/CAXTON_PORT"
    : fromFile
    ? `config file "${file.path}"`
    : "default";
  // Port 0 means "any free port": only the node's record can say which one.
  if (config.port !== 0) {
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = _reachable(`http://${host}:${config.port}`);
    if (!found.some((c) => c.url === url)) found.push({ url, source });
  }
  if (found.length === 0) {
    throw new CliError(
      `no server to try: port 0 (from ${source}) picks a free port, and no running node is recorded in ${
        nodeRecordPath(config.dataDir)
      }`,
      EXIT.unreachable,
      "point to the server with --server URL or CAXTON_SERVER, or --data-dir DIR of the running node",
    );
  }
  return found;
}

/** Resolves the settings from flags, environment and files. */
export function resolveSettings(flags: ClientFlags, env: Record<string, string>): ClientSettings {
  const path = settingsPath(env);
  const file = _readFile(path, Boolean(env.CAXTON_CLI_CONFIG));
  const explicit = flags.server !== undefined
    ? _checked(flags.server, "--server")
    : env.CAXTON_SERVER
    ? _checked(env.CAXTON_SERVER, "CAXTON_SERVER")
    : typeof file.server === "string"
    ? _checked(file.server, `CLI config "${path}"`)
    : null;
  // An API key (issue 17) or the static token: both are bearer credentials.
  const token = flags.token ?? env.CAXTON_API_KEY ?? env.CAXTON_TOKEN ??
    (file.apiKey as string | undefined) ?? (file.token as string | undefined) ?? null;
  return {
    servers: explicit ? [explicit] : _configuredNode(flags, env),
    token,
    file: Object.keys(file).length > 0 ? path : null,
  };
}
