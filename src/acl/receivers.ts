/**
 * How many receivers one message may name. FIPA's receiver is a set, so a
 * name given twice means one delivery; and every receiver costs a delivery
 * (a mailbox slot, a log row), so a message names at most a bounded number.
 * Applied where a message enters the node (API, agent sends).
 */
import type { AclMessage } from "./message.ts";

/** Distinct receivers one message may name unless the node is configured otherwise. */
export const DEFAULT_MAX_RECEIVERS = 64;

/** Raised when a message names more distinct receivers than the node accepts. */
export class TooManyReceiversError extends Error {
  readonly code = "too_many_receivers";
  constructor(
    /** The message, its receivers already made distinct (a failure reply needs its ids). */
    readonly rejected: AclMessage,
    readonly limit: number,
  ) {
    super(
      `Cannot accept a message to ${rejected.receiver.length} distinct receivers: the most one message may name is ${limit}; split the receivers over several messages, or raise maxReceivers on the node`,
    );
    this.name = "TooManyReceiversError";
  }
}

/**
 * Drops repeated names from `message.receiver` (the first of each stays, in
 * order) and refuses a message that still names more than `max`. Returns the
 * same message.
 *
 * @example
 * ```ts
 * import { limitReceivers } from "./receivers.ts";
 * const m = limitReceivers({ performative: "inform", receiver: ["a", "b", "a"] }, 64);
 * console.log(m.receiver); // ["a", "b"]
 * ```
 */
export function limitReceivers<T extends AclMessage>(
  message: T,
  max: number = DEFAULT_MAX_RECEIVERS,
): T {
  const names = message.receiver;
  if (names.length > 1) {
    const distinct = [...new Set(names)];
    if (distinct.length !== names.length) message.receiver = distinct;
  }
  if (message.receiver.length > max) throw new TooManyReceiversError(message, max);
  return message;
}
