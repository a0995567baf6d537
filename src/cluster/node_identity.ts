/**
 * Who this node is in the cluster: a stable id kept in its data dir (so a
 * restarted node is the same member and owns the same agents), a name for
 * people, and where its API listens.
 */
import { join } from "node:path";

/** A node as other nodes know it. */
export interface NodeIdentity {
  /** Stable: kept in `<dataDir>/node-id`; 16 hex characters (part of NATS subjects). */
  id: string;
  name: string;
  /** The node's API URL, or null when it serves none. */
  api: string | null;
}

const _ID = /^[0-9a-f]{16}$/;

/** The node id stored in `dataDir`, created on first use (`:memory:`: a fresh one). */
export function nodeId(dataDir: string): string {
  const fresh = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  if (dataDir === ":memory:") return fresh();
  const file = join(dataDir, "node-id");
  try {
    const id = Deno.readTextFileSync(file).trim();
    if (_ID.test(id)) return id;
    throw new Error(`"${file}" does not hold a node id; remove it to get a new one`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const id = fresh();
  // createNew: two processes on one data dir cannot both write an id.
  Deno.writeTextFileSync(file, `${id}\n`, { createNew: true });
  return id;
}

/** The default node name: the host's name. */
export function defaultNodeName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "caxton";
  }
}
