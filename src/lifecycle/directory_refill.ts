/**
 * After a restart the capability directory is filled again from the store in
 * the background, a batch per turn of the event loop, so the node is ready
 * before it is full (issue 21: bulk-deployed agents may all have capabilities).
 * A read of the directory meanwhile finishes the refill first, so no query
 * ever sees it part-filled.
 */
import type { Store } from "../store/mod.ts";
import type { DirectoryListing } from "./effects.ts";

const _BATCH = 2_000;

/**
 * Starts refilling `directory` from `store`; returns at once, with a stop the
 * node calls when it closes (a refill still under way must not read a closed store).
 */
export function refillDirectory(store: Store, directory: DirectoryListing): () => void {
  let after = "";
  let done = false;
  const step = (limit: number) => {
    while (!done && limit > 0) {
      const want = Math.min(limit, _BATCH);
      const rows = store.agents.lookups.withCapabilities(after, want);
      // Rows are read and set in one synchronous step: an agent adopted or changed since has
      // the same capabilities in its row as in the directory.
      for (const row of rows) directory.set(row.name, row.capabilities);
      if (rows.length > 0) after = rows.at(-1)!.name;
      if (rows.length < want) done = true;
      limit -= rows.length;
    }
    if (done) directory.loadFirst?.(undefined);
  };
  const next = () => {
    if (done) return;
    step(_BATCH);
    if (!done) setTimeout(next, 0);
  };
  directory.loadFirst?.(() => step(Infinity));
  next();
  return () => {
    if (done) return;
    done = true;
    directory.loadFirst?.(undefined);
  };
}
