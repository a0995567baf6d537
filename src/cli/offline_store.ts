/**
 * `--offline`: a command works on the data dir's store directly, with no
 * node running (the first admin key is created this way, and a stopped
 * node's audit trail verified). The data dir lock keeps a running node's
 * store out of reach: stop the node, or use the command without --offline.
 */
import { existsSync } from "node:fs";
import { type CaxtonConfig, configFileOf, databasePath, loadConfig } from "../config/mod.ts";
import { DataDirLockedError, lockDataDir, openStore, type Store } from "../store/mod.ts";
import { CliError, EXIT } from "./exit.ts";
import type { CommandContext } from "./command_types.ts";

/** The node's config as `caxton serve` would read it here (data dir, roles). */
export function nodeConfigOf(ctx: CommandContext): CaxtonConfig {
  const dataDir = ctx.values["data-dir"];
  const config = ctx.values.config;
  return loadConfig({
    file: configFileOf(typeof config === "string" ? config : undefined, ctx.env),
    env: ctx.env,
    flags: { dataDir: typeof dataDir === "string" ? dataDir : undefined },
  });
}

/** Runs `fn` on the store of the node's data dir, locked for the duration. */
export function withOfflineStore<T>(
  ctx: CommandContext,
  fn: (store: Store, config: CaxtonConfig) => T,
  options: { create?: boolean } = {},
): T {
  const config = nodeConfigOf(ctx);
  if (!options.create && !existsSync(databasePath(config))) {
    throw new CliError(
      `no store at ${databasePath(config)}`,
      EXIT.notFound,
      "give the node's data dir with --data-dir DIR or CAXTON_DATA_DIR",
    );
  }
  Deno.mkdirSync(config.dataDir, { recursive: true });
  let lock;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new CliError(
        `${error.message.split(";")[0]}; --offline needs the node stopped`,
        EXIT.refused,
        "run the command without --offline to go through the running node's API",
      );
    }
    throw error;
  }
  try {
    using store = openStore(databasePath(config));
    return fn(store, config);
  } finally {
    lock.release();
  }
}
