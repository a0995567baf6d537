/**
 * Watches every key of a KV bucket and resolves once the values that existed
 * when the watch began have been seen, so a cache built from it is complete
 * before the node serves. A watch's consumer can be lost with the NATS server
 * that held it (a 3-server cluster losing one): then the bucket moves on and
 * the watch hears nothing. That is checked every {@linkcode _STALE_MS}, and a
 * lost watch is started again from the revision after the last one seen.
 */
import type { KV, KvEntry, KvWatchEntry } from "@nats-io/kv";

/** Longest wait for the initial values (the watch goes on regardless). */
const _INITIAL_MS = 5_000;
/** A watch silent this long while its bucket has newer revisions is lost. */
const _STALE_MS = 2_000;

/** Calls `onEntry` for each value now and each change later; returns the stop function. */
export async function watchBucket(
  kv: KV,
  onEntry: (entry: KvEntry, initial: boolean) => void,
): Promise<() => void> {
  const loaded = Promise.withResolvers<void>();
  let lastRevision = 0;
  let lastEntryAt = Date.now();
  let stopped = false;
  const pump = async (watch: AsyncIterable<KvWatchEntry>, resumed: boolean) => {
    for await (const entry of watch) {
      lastRevision = Math.max(lastRevision, entry.revision);
      lastEntryAt = Date.now();
      onEntry(entry, !resumed && !entry.isUpdate);
      if (entry.isUpdate || entry.delta === 0) loaded.resolve();
    }
  };
  let watch = await kv.watch({ key: ">" });
  // An empty bucket sends nothing to mark the end of its (no) initial values.
  if ((await kv.status()).values === 0) loaded.resolve();
  const timer = setTimeout(loaded.resolve, _INITIAL_MS);
  pump(watch, false);
  let checking = false;
  const check = setInterval(async () => {
    if (checking || Date.now() - lastEntryAt < _STALE_MS) return;
    checking = true;
    try {
      const status = await kv.status();
      if (stopped || status.streamInfo.state.last_seq <= lastRevision) return;
      watch.stop();
      watch = await kv.watch({ key: ">", resumeFromRevision: lastRevision + 1 });
      lastEntryAt = Date.now();
      if (stopped) watch.stop();
      else pump(watch, true);
    } catch {
      // NATS unreachable: the next check tries again.
    } finally {
      checking = false;
    }
  }, _STALE_MS);
  Deno.unrefTimer(check);
  await loaded.promise;
  clearTimeout(timer);
  return () => {
    stopped = true;
    clearInterval(check);
    watch.stop();
  };
}
