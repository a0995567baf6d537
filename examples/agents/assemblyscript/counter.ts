// Counter in AssemblyScript: the same behaviour as examples/agents/wat/counter.wat.
// Each message adds one to a u64 stored under "count" (8 bytes, little-endian,
// so both builds read each other's state) and replies `inform` with the new
// count as a JSON string.

import {
  INFO,
  log,
  quote,
  receive,
  registerCapability,
  reply,
  send,
  stateGet,
  stateSet,
} from "../../../sdk/assemblyscript/caxton";

export { caxton_abi_v1, caxton_alloc } from "../../../sdk/assemblyscript/caxton";

export function caxton_init(): i32 {
  return registerCapability("counter");
}

/**
 * 0 handled; 1 malformed message, 2 no sender, 4 `send` refused the reply,
 * 5 the stored count is not 8 bytes, 6 `state_set` refused the new count.
 */
export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  if (msg.sender == null) return 2;
  const stored = stateGet("count");
  if (stored != null && stored.byteLength != 8) return 5;
  const count: u64 = (stored == null ? 0 : load<u64>(changetype<usize>(stored))) + 1;
  // reply first, store last (docs/ABI.md: write state last): a refused reply
  // fails the message without advancing the count
  if (send(reply(msg, "inform", quote(count.toString()))) != 0) return 4;
  log(INFO, "count is now " + count.toString());
  const value = new ArrayBuffer(8);
  store<u64>(changetype<usize>(value), count);
  return stateSet("count", value) == 0 ? 0 : 6;
}
