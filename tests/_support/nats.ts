/**
 * A real `nats-server` (Debian's) with JetStream on a free loopback port, and
 * Caxton nodes joined to it as child processes. Everything started is stopped
 * by PID when disposed.
 */
import { until } from "./node.ts";
import { cliArgs, spawnServer } from "./process.ts";

/** A running nats-server. */
export interface NatsServer extends AsyncDisposable {
  url: string;
  port: number;
  process: Deno.ChildProcess;
  dir: string;
}

/**
 * Starts nats-server; `config` is extra nats-server config text (TLS, accounts);
 * `port` and `dir` restart a server where a stopped one was (its JetStream data kept).
 */
export async function startNats(
  options: { config?: string; port?: number; dir?: string } = {},
): Promise<NatsServer> {
  const dir = options.dir ?? Deno.makeTempDirSync({ prefix: "caxton-nats-" });
  const args = ["-a", "127.0.0.1", "-p", String(options.port ?? -1), "-js", "-sd", `${dir}/js`];
  if (options.config) {
    Deno.writeTextFileSync(`${dir}/server.conf`, options.config);
    args.push("-c", `${dir}/server.conf`);
  }
  const process = new Deno.Command("nats-server", { args, stdout: "null", stderr: "piped" })
    .spawn();
  const reader = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 15_000;
  while (!/Server is ready/.test(seen)) {
    if (Date.now() > deadline) throw new Error(`nats-server did not start: ${seen}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`nats-server exited: ${seen}`);
    seen += value;
  }
  const port = Number(seen.match(/Listening for client connections on [\d.]+:(\d+)/)![1]);
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process,
    dir,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGTERM");
      } catch { /* gone */ }
      await process.status;
      await drained;
      if (!options.dir) Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** A `caxton serve --cluster` child with its own data dir. */
export interface ClusterNode extends AsyncDisposable {
  url: string;
  api: string;
  name: string;
  process: Deno.ChildProcess;
  /** kill -9: no goodbye to the cluster. */
  kill(): Promise<void>;
}

/** Starts a node joined to `nats` (extra `args` and `env` passed on). */
export async function startClusterNode(
  nats: string,
  name: string,
  options: { args?: string[]; env?: Record<string, string>; dataDir?: string } = {},
): Promise<ClusterNode> {
  const dataDir = options.dataDir ?? Deno.makeTempDirSync({ prefix: "caxton-cluster-" });
  const server = await spawnServer({
    args: cliArgs(
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--workers",
      "1",
      "--cluster",
      nats,
      "--node-name",
      name,
      ...(options.args ?? []),
    ),
    env: options.env,
  });
  return {
    url: server.url,
    api: `${server.url}/api/v1`,
    name,
    process: server.process,
    async kill() {
      server.process.kill("SIGKILL");
      await server.process.status;
    },
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      if (!options.dataDir) Deno.removeSync(dataDir, { recursive: true });
    },
  };
}

/** Resolves once `node` sees `count` members, each with its API address (deploys can go there). */
export async function waitForPeers(node: ClusterNode, count: number, headers = {}): Promise<void> {
  await until(async () => {
    const res = await fetch(`${node.api}/cluster`, { headers });
    const nodes = (await res.json()).nodes as { api: string | null }[] | undefined;
    return nodes?.length === count && nodes.every((n) => n.api !== null);
  }, `${node.name} to see ${count} members with their API`);
}
