/**
 * Watches every key of a KV bucket and resolves once the values that existed
 * when the watch began have been seen, so a cache built from it is complete
 * before the node serves.
 */
import type { KV, KvEntry } from "@nats-io/kv";

/** Longest wait for the initial values (the watch goes on regardless). */
const _INITIAL_MS = 5_000;

/** Calls `onEntry` for each value now and each change later; returns the stop function. */
export async function watchBucket(
  kv: KV,
  onEntry: (entry: KvEntry, initial: boolean) => void,
): Promise<() => void> {
  const loaded = Promise.withResolvers<void>();
  const watch = await kv.watch({ key: ">" });
  // An empty bucket sends nothing to mark the end of its (no) initial values.
  if ((await kv.status()).values === 0) loaded.resolve();
  const timer = setTimeout(loaded.resolve, _INITIAL_MS);
  (async () => {
    for await (const entry of watch) {
      onEntry(entry, !entry.isUpdate);
      if (entry.isUpdate || entry.delta === 0) loaded.resolve();
    }
  })();
  await loaded.promise;
  clearTimeout(timer);
  return () => watch.stop();
}
