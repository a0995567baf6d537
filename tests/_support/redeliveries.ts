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
  // One record per receiver (position `first + i`), none handled: done-through stays put.
  store.messages.writeBatch({
    records: receivers.map((receiver, i) => ({
      id: first + i,
      at: Date.now(),
      receivers: [receiver],
      body: JSON.stringify({
        performative: "request",
        sender,
        receiver: [receiver],
        content: "left over",
      }),
      traceId: null,
    })),
    outcomes: [],
    watermarks: [],
    doneThrough: 0,
    lastId: first + receivers.length - 1,
  });
}

/** The count a counter agent keeps in its state, read from the store. */
export function countOf(store: Store, agent: string): number {
  const stored = store.state.get(store.agents.byName(agent)!.id, "count");
  if (!stored) return 0;
  return Number(new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true));
}
