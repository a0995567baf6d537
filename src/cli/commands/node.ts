/** `caxton serve`, `caxton backup`, `caxton restore`, `caxton version`: the node itself. */
import { join } from "node:path";
import { startNode, VERSION } from "../../../main.ts";
import { databasePath, loadConfig, readConfigFile } from "../../config/mod.ts";
import { openStore, restoreDatabase } from "../../store/mod.ts";
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
    file: typeof v.config === "string" ? readConfigFile(v.config) : undefined,
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
    usage: "<file> [--data-dir DIR]",
    summary: "copy the live database to <file>",
    options: NODE_OPTIONS,
    run(ctx) {
      const [file] = ctx.args;
      if (!file) throw new CliError("backup needs a target file: caxton backup <file>", EXIT.usage);
      const store = openStore(databasePath(nodeConfig(ctx)));
      try {
        store.backup(file);
      } finally {
        store.close();
      }
      ctx.output.out(`backed up to ${file}`);
      return Promise.resolve();
    },
  },
  {
    noun: "restore",
    usage: "<file> [--data-dir DIR]",
    summary: "replace the database by <file> (server stopped)",
    options: NODE_OPTIONS,
    run(ctx) {
      const [file] = ctx.args;
      if (!file) {
        throw new CliError("restore needs a backup file: caxton restore <file>", EXIT.usage);
      }
      const config = nodeConfig(ctx);
      Deno.mkdirSync(config.dataDir, { recursive: true });
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
