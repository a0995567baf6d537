/**
 * Leaves deliveries unfinished in a stopped node's message log, as a crash
 * does, so a restart must redeliver them (issue 21: to the right agents).
 */
import { databasePath } from "../../src/config/mod.ts";
import { openStore, type Store } from "../../src/store/mod.ts";

/**
 * Appends one accepted, unhandled request from `sender` (a participant that
 * outlives the restart) to each of `receivers` in `dataDir`'s log.
 */
export function leaveUnfinished(
  dataDir: string,
  sender: string,
  receivers: readonly string[],
): void {
  using store = openStore(databasePath({ dataDir }));
  const first = store.messages.lastId() + 1;
  store.messages.appendBatch(receivers.map((receiver, i) => ({
    id: first + i,
    acceptedAt: Date.now(),
    receiver,
    message: {
      performative: "request",
      sender,
      receiver: [receiver],
      content: "left over",
    },
  })));
}

/** The count a counter agent keeps in its state, read from the store. */
export function countOf(store: Store, agent: string): number {
  const stored = store.state.get(store.agents.byName(agent)!.id, "count");
  if (!stored) return 0;
  return Number(new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true));
}
