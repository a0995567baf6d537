/**
 * `caxton serve`, `caxton backup`, `caxton restore`, `caxton version`: the node
 * itself. Backup asks the running node (GET /api/v1/backup); restore is offline
 * by nature and takes the data dir's lock, so it cannot run under a node.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startNode } from "../../../main.ts";
import { VERSION } from "../../version.ts";
import { configFileOf, databasePath, loadConfig, readNodeRecord } from "../../config/mod.ts";
import { BackupError, lockDataDir, restoreDatabase, verifyBackup } from "../../store/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import type { Command, CommandContext } from "../command_types.ts";

/** Flags of the commands that run or open a node. */
export const NODE_OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "data-dir": { type: "string" },
  workers: { type: "string" },
  config: { type: "string" },
  "trace-sample-ratio": { type: "string" },
  // Cluster (docs/CLUSTER.md): NATS servers to join, and this node's name.
  cluster: { type: "string" },
  "node-name": { type: "string" },
} as const;

/** The node's configuration from the command's flags, the environment and --config. */
export function nodeConfig(ctx: CommandContext) {
  const v = ctx.values;
  return loadConfig({
    file: configFileOf(v.config as string | undefined, ctx.env),
    env: ctx.env,
    flags: {
      port: v.port as string | undefined,
      host: v.host as string | undefined,
      dataDir: v["data-dir"] as string | undefined,
      workers: v.workers as string | undefined,
      traceSampleRatio: v["trace-sample-ratio"] as string | undefined,
      cluster: v.cluster as string | undefined,
      nodeName: v["node-name"] as string | undefined,
    },
  });
}

export const NODE_COMMANDS: Command[] = [
  {
    noun: "serve",
    usage:
      "[--port N] [--host H] [--data-dir DIR] [--workers N] [--config FILE] [--trace-sample-ratio R] [--cluster nats://HOST:PORT] [--node-name NAME]",
    summary: "run a node: the API on --host:--port, data in --data-dir",
    options: NODE_OPTIONS,
    async run(ctx) {
      const node = await startNode(nodeConfig(ctx));
      console.error(
        `caxton ${VERSION} listening on ${node.url} (data in ${join(node.config.dataDir)})`,
      );
      const stopped = Promise.withResolvers<void>();
      const stop = () => {
        Deno.removeSignalListener("SIGINT", stop);
        Deno.removeSignalListener("SIGTERM", stop);
        node.close().then(stopped.resolve, stopped.reject);
      };
      Deno.addSignalListener("SIGINT", stop);
      Deno.addSignalListener("SIGTERM", stop);
      await stopped.promise;
    },
  },
  {
    noun: "backup",
    usage: "<file>",
    summary: "save a consistent copy of the running node's database to <file> (through the API)",
    async run(ctx) {
      const [file] = ctx.args;
      if (!file) throw new CliError("backup needs a target file: caxton backup <file>", EXIT.usage);
      if (existsSync(file)) {
        throw new BackupError(
          `Cannot back up to "${file}": the file exists; choose a new path or remove it`,
        );
      }
      const res = await ctx.client().fetch("/api/v1/backup");
      // Written aside and renamed: an interrupted download never looks like a backup.
      const partial = `${file}.partial`;
      await Deno.writeFile(partial, res.body!);
      await Deno.rename(partial, file);
      ctx.output.out(`backed up ${ctx.client().server} to ${file}`);
    },
  },
  {
    noun: "restore",
    usage: "<file> [--data-dir DIR]",
    summary:
      "offline: replace the database in --data-dir by <file>; stop the node first (it refuses while one runs)",
    options: NODE_OPTIONS,
    run(ctx) {
      const [file] = ctx.args;
      if (!file) {
        throw new CliError("restore needs a backup file: caxton restore <file>", EXIT.usage);
      }
      const config = nodeConfig(ctx);
      verifyBackup(file);
      Deno.mkdirSync(config.dataDir, { recursive: true });
      // A node running on the directory holds its lock: restoring under it would corrupt both.
      using _lock = lockDataDir(config.dataDir, { holder: () => readNodeRecord(config.dataDir) });
      const { agents } = restoreDatabase(file, databasePath(config));
      ctx.output.out(`restored ${agents} agent(s) from ${file} into ${config.dataDir}`);
      return Promise.resolve();
    },
  },
  {
    noun: "version",
    usage: "",
    summary: "print the version",
    run(ctx) {
      ctx.output.out(ctx.output.json ? JSON.stringify({ version: VERSION }) : VERSION);
      return Promise.resolve();
    },
  },
];
