/**
 * Three real nats-servers in one NATS cluster with JetStream, on free
 * loopback ports: what docs/CLUSTER.md's production layout runs, in a test.
 * Each server is stopped by PID when disposed.
 */
import { type NatsServer, startNats } from "./nats.ts";

/** A NATS cluster of servers. */
export interface NatsCluster extends AsyncDisposable {
  servers: NatsServer[];
  /** Every server's URL, comma-separated (a `--cluster` value). */
  urls: string;
}

/** A free loopback port (bound and released). */
function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `size` servers routed to each other (JetStream clustered). */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const routes = Array.from({ length: size }, _freePort);
  const servers: NatsServer[] = [];
  try {
    await Promise.all(routes.map(async (route, i) => {
      const dir = Deno.makeTempDirSync({ prefix: `caxton-nats-${i}-` });
      const config = `
server_name: caxton-test-${i}
cluster {
  name: caxton-test
  listen: 127.0.0.1:${route}
  routes: [${routes.map((r) => `nats-route://127.0.0.1:${r}`).join(", ")}]
}
`;
      const server = await startNats({ config, dir });
      servers.push({
        ...server,
        async [Symbol.asyncDispose]() {
          await server[Symbol.asyncDispose]();
          Deno.removeSync(dir, { recursive: true });
        },
      });
    }));
  } catch (error) {
    for (const server of servers) await server[Symbol.asyncDispose]();
    throw error;
  }
  return {
    servers,
    urls: servers.map((s) => s.url).join(","),
    async [Symbol.asyncDispose]() {
      for (const server of servers) {
        try {
          await server[Symbol.asyncDispose]();
        } catch { /* killed by the test already */ }
      }
    },
  };
}
