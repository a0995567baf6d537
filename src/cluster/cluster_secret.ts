/**
 * The secret nodes seal forwarded API requests with (forward_seal.ts): made
 * once by whichever node joins first (`create`, compare-and-set, so all
 * nodes read the same one) and kept in the KV bucket `caxton_cluster`.
 * Anyone who can read the bucket can seal: the NATS account is the boundary.
 */
import type { KV } from "@nats-io/kv";

/** The KV bucket of cluster-wide settings. */
export const CLUSTER_BUCKET = "caxton_cluster";
const _KEY = "forward-secret";

/** The cluster's forwarding secret from bucket {@linkcode CLUSTER_BUCKET}, created on first use. */
export async function clusterSecret(kv: KV): Promise<Uint8Array<ArrayBuffer>> {
  const fresh = crypto.getRandomValues(new Uint8Array(32));
  try {
    await kv.create(_KEY, fresh);
    return fresh;
  } catch (error) {
    if (!/wrong last sequence/.test((error as Error).message)) throw error;
  }
  const entry = await kv.get(_KEY);
  if (!entry || entry.value.length !== 32) {
    throw new Error(`the cluster's forwarding secret in ${CLUSTER_BUCKET} is missing or damaged`);
  }
  return new Uint8Array(entry.value);
}
