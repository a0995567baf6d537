/** A node serving the API on a loopback port, with a temp SQLite file, for API tests. */
import type { CaxtonNode } from "../../main.ts";
import type { CaxtonConfig } from "../../src/config/mod.ts";
import { agentBytes, startTestNode } from "./node.ts";

/** A served node plus its data dir; disposing closes the node and removes the dir. */
export interface ApiNode extends AsyncDisposable {
  node: CaxtonNode;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/api/v1` */
  api: string;
  dataDir: string;
}

/** Starts a served node; `keepDir` leaves the data dir for a restart test. */
export async function startApiNode(
  overrides: Partial<CaxtonConfig> = {},
  options: { keepDir?: boolean } = {},
): Promise<ApiNode> {
  const dataDir = overrides.dataDir ?? Deno.makeTempDirSync({ prefix: "caxton-api-" });
  const node = await startTestNode({ ...overrides, dataDir }, { serve: true });
  return {
    node,
    url: node.url!,
    api: `${node.url}/api/v1`,
    dataDir,
    async [Symbol.asyncDispose]() {
      await node.close();
      if (!options.keepDir && overrides.dataDir === undefined) {
        Deno.removeSync(dataDir, { recursive: true });
      }
    },
  };
}

/** Deploys a built agent (e.g. "echo_wat") as `name` with a raw upload. */
export async function deploy(api: string, name: string, agent: string): Promise<Response> {
  const res = await fetch(`${api}/agents/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes(agent),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`deploy ${name} failed: ${res.status}`);
  return res;
}
