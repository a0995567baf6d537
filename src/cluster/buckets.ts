/**
 * Opens (or creates) the cluster's JetStream buckets with the configured
 * number of replicas. A NATS cluster that has just started answers
 * "temporarily unavailable" until JetStream has elected its leaders: that is
 * waited out, up to {@linkcode _READY_MS}.
 */
import type { KV, Kvm, KvOptions } from "@nats-io/kv";

const _READY_MS = 15_000;

/** Bucket `name` with `options` and `replicas` copies. */
export function openBucket(
  kvm: Kvm,
  name: string,
  options: Partial<KvOptions>,
  replicas: number,
): Promise<KV> {
  return whenJetStreamReady(() => kvm.create(name, { ...options, replicas }));
}

/** Runs `open` (a bucket's create), again while JetStream is still electing its leaders. */
export async function whenJetStreamReady<T>(open: () => Promise<T>): Promise<T> {
  const end = Date.now() + _READY_MS;
  for (;;) {
    try {
      return await open();
    } catch (error) {
      const message = (error as Error).message;
      if (!/temporarily unavailable|no suitable peers|timeout/i.test(message) || Date.now() > end) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
