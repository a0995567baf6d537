/**
 * Direct deliveries in the message log (log on). A worker delivers between
 * its own agents without the main thread's round trip, and reports each
 * delivery it accepted — in the same post as the outcome of the message
 * whose handling sent it, ahead of it — and each it handled. Here an accepted
 * one gets its log position (from the router's one sequence, so a
 * receiver's watermark never passes a position handed out later), and a
 * handled one closes it: the promises of docs/ARCHITECTURE.md#delivery-guarantee
 * hold as for a delivery the main thread routed.
 */
import type { Router } from "../router/mod.ts";
import { unpackOpened } from "../runtime/mod.ts";

/** An open direct delivery: its log position and text (to answer its sender if it is lost). */
export interface OpenDirect {
  id: number;
  text: string;
}

/** Open direct deliveries per receiving instance, by the number its worker gave them. */
export class DirectLog {
  readonly #router: Router;
  readonly #open = new Map<number, Map<number, OpenDirect>>();

  constructor(router: Router) {
    this.#router = router;
  }

  /** Logs the deliveries of a worker's report (`DirectLogReport.opened`) as accepted. */
  opened(packed: string): void {
    unpackOpened(packed, (d) => {
      const id = this.#router.logDirect(d.receiver, d.text, d.traceparent);
      if (id === undefined) return;
      let open = this.#open.get(d.instanceId);
      if (!open) this.#open.set(d.instanceId, open = new Map());
      open.set(d.ref, { id, text: d.text });
    });
  }

  /** Marks handled the deliveries of a report's (instanceId, number) pairs. */
  done(pairs: readonly number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const id = this.take(pairs[i]!, pairs[i + 1]!);
      if (id !== undefined) this.#router.complete({ logId: id });
    }
  }

  /** The log position of an open delivery, no longer open here (its outcome ends it). */
  take(instanceId: number, ref: number): number | undefined {
    const open = this.#open.get(instanceId);
    const entry = open?.get(ref);
    if (!entry) return undefined;
    open!.delete(ref);
    if (open!.size === 0) this.#open.delete(instanceId);
    return entry.id;
  }

  /** Deliveries given back by the worker (`refs`, 0: never logged) end here: they are routed anew. */
  bounced(instanceId: number, refs: readonly number[]): void {
    for (const ref of refs) {
      const id = ref === 0 ? undefined : this.take(instanceId, ref);
      if (id !== undefined) {
        this.#router.complete({ logId: id }, "given back by its worker and routed again");
      }
    }
  }

  /** The open deliveries of an instance lost with its worker, no longer open here. */
  lost(instanceId: number): OpenDirect[] {
    const open = this.#open.get(instanceId);
    this.#open.delete(instanceId);
    return open ? [...open.values()] : [];
  }
}
