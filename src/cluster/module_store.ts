/**
 * Module bytes stored once in the cluster: the JetStream object store
 * `caxton_modules`, one object per module named by the SHA-256 of its bytes
 * (lowercase hex, as each node's store keys it). A node puts what is deployed
 * through it when the object is absent, and fetches by hash a module it lacks
 * — a deploy forwarded to it carries only the hash — so any node can load any
 * agent without the client uploading again.
 */
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { whenJetStreamReady } from "./buckets.ts";

/** The object store of module bytes. */
export const MODULES_BUCKET = "caxton_modules";

/** Raised when the cluster holds no module under a hash (or bytes that do not match it). */
export class ModuleNotInClusterError extends Error {
  readonly code = "module_not_found";
  constructor(readonly hash: string, detail: string) {
    super(
      `Cannot load module ${hash} from the cluster's object store ${MODULES_BUCKET}: ${detail}; deploy the module's bytes again`,
    );
    this.name = "ModuleNotInClusterError";
  }
}

/** Modules by content hash, shared by every node. */
export class ClusterModules {
  readonly #store: ObjectStore;

  private constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** Opens (or creates) the object store with `replicas` copies. */
  static async open(nc: NatsConnection, replicas: number): Promise<ClusterModules> {
    const objm = new Objm(nc);
    return new ClusterModules(
      await whenJetStreamReady(() => objm.create(MODULES_BUCKET, { replicas })),
    );
  }

  /** Puts `bytes` under their hash unless the object is there; returns the hash and whether it was put. */
  async share(bytes: Uint8Array): Promise<{ hash: string; stored: boolean }> {
    const hash = await sha256Hex(bytes);
    if (await this.#store.info(hash)) return { hash, stored: false };
    await this.#store.putBlob({ name: hash }, bytes);
    return { hash, stored: true };
  }

  /** The bytes stored under `hash`; rejects with {@linkcode ModuleNotInClusterError}. */
  async fetch(hash: string): Promise<Uint8Array> {
    const bytes = await this.#store.getBlob(hash).catch((error: Error) => {
      throw new ModuleNotInClusterError(hash, error.message);
    });
    if (!bytes) throw new ModuleNotInClusterError(hash, "no object has that name");
    if (await sha256Hex(bytes) !== hash) {
      throw new ModuleNotInClusterError(hash, "the object's bytes do not have that hash");
    }
    return bytes;
  }
}

/** SHA-256 of `bytes`, lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
