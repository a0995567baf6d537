/**
 * The `caxton` command: `caxton <noun> <verb>`. `caxton serve` runs a node.
 * Errors print one line and exit non-zero.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { startNode, VERSION } from "./main.ts";
import { ConfigError, databasePath, loadConfig, readConfigFile } from "./src/config/mod.ts";
import { BackupError, openStore, restoreDatabase } from "./src/store/mod.ts";
import { agentNewCommand } from "./src/scaffold/mod.ts";
import { toolListCommand } from "./src/mcp/mod.ts";

const USAGE = `caxton ${VERSION} — a server for multi-agent systems

Usage:
  caxton serve [--port N] [--host H] [--data-dir DIR] [--workers N] [--config FILE]
  caxton backup <file> [--data-dir DIR]     copy the live database to <file>
  caxton restore <file> [--data-dir DIR]    replace the database by <file> (server stopped)
  caxton agent new <name> --lang assemblyscript|c|rust|wat   scaffold an agent project
  caxton tool list [--url URL] [--json]      MCP tools of a running node, with call counters
  caxton mcp [--data-dir DIR] [--config FILE]  run a node serving MCP on stdin/stdout
  caxton version

Settings come from flags, then CAXTON_* environment variables, then --config FILE.`;

/** Exit codes that mean something. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function fail(message: string, code: number = EXIT.failure): never {
  console.error(`caxton: ${message}`);
  Deno.exit(code);
}

function configFrom(values: Record<string, string | boolean | undefined>) {
  return loadConfig({
    file: typeof values.config === "string" ? readConfigFile(values.config) : undefined,
    env: Deno.env.toObject(),
    flags: {
      port: values.port,
      host: values.host,
      dataDir: values["data-dir"],
      workers: values.workers,
    },
  });
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<void> {
  const node = await startNode(configFrom(values));
  console.error(
    `caxton ${VERSION} listening on ${node.url} (data in ${join(node.config.dataDir)})`,
  );
  const stop = () => {
    node.close().then(() => Deno.exit(EXIT.ok));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

async function main(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      workers: { type: "string" },
      config: { type: "string" },
      lang: { type: "string" },
      url: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case "serve":
      return await serve(values);
    case "version":
      console.log(VERSION);
      return;
    case "backup": {
      if (!arg) fail("backup needs a target file: caxton backup <file>", EXIT.usage);
      const store = openStore(databasePath(configFrom(values)));
      try {
        store.backup(arg);
      } finally {
        store.close();
      }
      console.log(`backed up to ${arg}`);
      return;
    }
    case "restore": {
      if (!arg) fail("restore needs a backup file: caxton restore <file>", EXIT.usage);
      const config = configFrom(values);
      Deno.mkdirSync(config.dataDir, { recursive: true });
      const { agents } = restoreDatabase(arg, databasePath(config));
      console.log(`restored ${agents} agent(s) from ${arg} into ${config.dataDir}`);
      return;
    }
    case "tool": {
      if (arg !== "list") fail("usage: caxton tool list [--url URL] [--json]", EXIT.usage);
      const config = configFrom(values);
      const url = (values.url as string | undefined) ?? `http://${config.host}:${config.port}`;
      console.log(await toolListCommand(url, { json: values.json === true }));
      return;
    }
    case "mcp": {
      // stdout carries MCP; logs go to stderr. No HTTP: `caxton serve` owns the port.
      const node = await startNode(configFrom(values), { serve: false });
      await node.mcp.serveStdio();
      await node.close();
      return Deno.exit(EXIT.ok);
    }
    case "agent":
      if (arg !== "new") fail("usage: caxton agent new <name> --lang <language>", EXIT.usage);
      console.log(await agentNewCommand(positionals[2], values.lang as string | undefined));
      return;
    default:
      fail(`unknown command "${command}"; run \`caxton --help\` for the commands`, EXIT.usage);
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    if (
      error instanceof ConfigError || error instanceof BackupError || error instanceof TypeError
    ) {
      fail((error as Error).message, EXIT.usage);
    }
    fail((error as Error).message);
  }
}
