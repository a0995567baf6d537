/**
 * `<dataDir>/node.json`: where a running node says it listens. Written once
 * the node has its port and its data directory, removed when it stops
 * cleanly; the CLI reads it to find the node, and a second node refused the
 * data directory reads it to say who holds it. After `kill -9` the file
 * stays behind: readers treat it as a hint, never as proof that a node runs.
 */
import { join } from "node:path";

/** What a running node records about itself. */
export interface NodeRecord {
  pid: number;
  /** The API's URL, or null when the node does not serve HTTP. */
  url: string | null;
  version: string;
  startedAt: string;
}

/** The record's path in a data directory. */
export function nodeRecordPath(dataDir: string): string {
  return join(dataDir, "node.json");
}

/** Writes the record of this process. */
export function writeNodeRecord(dataDir: string, record: NodeRecord): void {
  const path = nodeRecordPath(dataDir);
  // Written aside and renamed, so a reader never sees half a file.
  Deno.writeTextFileSync(`${path}.tmp`, JSON.stringify(record, null, 2) + "\n");
  Deno.renameSync(`${path}.tmp`, path);
}

/** Removes the record if it is this process's. */
export function removeNodeRecord(dataDir: string, pid = Deno.pid): void {
  if (readNodeRecord(dataDir)?.pid !== pid) return;
  try {
    Deno.removeSync(nodeRecordPath(dataDir));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The record in `dataDir`, or null when there is none or it cannot be read. */
export function readNodeRecord(dataDir: string): NodeRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(Deno.readTextFileSync(nodeRecordPath(dataDir)));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const r = value as Record<string, unknown>;
  if (typeof r.pid !== "number" || (r.url !== null && typeof r.url !== "string")) return null;
  return {
    pid: r.pid,
    url: r.url as string | null,
    version: String(r.version ?? ""),
    startedAt: String(r.startedAt ?? ""),
  };
}
