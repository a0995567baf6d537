/**
 * Cluster: module bytes travel through the cluster's object store, not with
 * each forwarded deploy (src/cluster/module_store.ts). A node forwarding a
 * deploy puts the module there (once per hash) and sends the deploy on with
 * only its hash in {@linkcode MODULE_HASH_HEADER}; the node that runs the
 * agent fetches the bytes by that hash. Every deploy shares its module, so
 * any node can load any agent. Standalone, nothing here runs.
 */
import type { Context } from "hono";
import type { Cluster } from "../cluster/mod.ts";
import { FORWARDED_BY } from "../cluster/forward_seal.ts";
import { problem, ProblemError } from "./problem_details.ts";
import type { ApiDeps } from "./deps.ts";

/** Header of a deploy forwarded between nodes: its module's SHA-256, in place of its bytes. */
export const MODULE_HASH_HEADER = "x-caxton-module";

/**
 * The body a deploy is forwarded with: the module put in the object store
 * and left out, its hash set in `headers`. A body with no module (or not a
 * deploy's shape) goes on as it is, for the other node to refuse.
 */
export async function deployBodyByHash(
  c: Context,
  cluster: Cluster,
  headers: Headers,
): Promise<BodyInit> {
  const raw = await c.req.arrayBuffer();
  const type = (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let form: FormData | undefined;
  let bytes: Uint8Array | undefined;
  if (type === "application/wasm" && raw.byteLength > 0) bytes = new Uint8Array(raw);
  if (type === "multipart/form-data") {
    form = await new Response(raw, { headers }).formData().catch(() => undefined);
    const module = form?.get("module");
    if (module instanceof File) bytes = new Uint8Array(await module.arrayBuffer());
  }
  if (!bytes) return raw;
  const { hash } = await cluster.modules.share(bytes).catch((error: Error) => {
    throw new ProblemError(
      problem(
        503,
        "cluster_unavailable",
        `Cannot put the module in the cluster's object store: ${error.message}`,
        "Retry once NATS is reachable (GET /ready)",
      ),
    );
  });
  headers.set(MODULE_HASH_HEADER, hash);
  headers.delete("content-length");
  if (!form) return new Uint8Array(0);
  form.delete("module");
  headers.delete("content-type"); // fetch sets the new boundary
  return form;
}

/**
 * For a deploy another node forwarded with its module's hash: reads the
 * bytes from the object store (undefined: the deploy carries its bytes).
 */
export function moduleByHash(
  deps: ApiDeps,
  c: Context,
): (() => Promise<Uint8Array>) | undefined {
  const hash = c.req.header(MODULE_HASH_HEADER);
  const cluster = deps.cluster;
  if (!cluster || hash === undefined || c.req.header(FORWARDED_BY) === undefined) return undefined;
  return () =>
    cluster.modules.fetch(hash).catch((error: Error) => {
      throw new ProblemError(
        problem(404, "module_not_found", error.message, "Deploy the module's bytes again", {
          hash,
        }),
      );
    });
}

/** Puts a deployed module in the cluster's object store when it is not there. */
export async function shareModule(deps: ApiDeps, bytes: Uint8Array): Promise<void> {
  // NATS down: the deploy stands (this node has the bytes); the next deploy shares them.
  await deps.cluster?.modules.share(bytes).catch(() => {});
}
