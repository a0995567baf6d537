// Echo in AssemblyScript: the same behaviour as examples/agents/wat/echo.wat.
// Replies `inform` to the sender with the string content (or "pong"),
// threading `inReplyTo` and `conversationId`.

import {
  quote,
  receive,
  registerCapability,
  reply,
  send,
} from "../../../sdk/assemblyscript/caxton";

export { caxton_abi_v1, caxton_alloc } from "../../../sdk/assemblyscript/caxton";

export function caxton_init(): i32 {
  return registerCapability("echo");
}

/** 0 handled; 1 malformed message, 2 no sender, 4 `send` refused the reply. */
export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  if (msg.sender == null) return 2;
  const content = msg.content != null ? quote(msg.content!) : '"pong"';
  return send(reply(msg, "inform", content)) == 0 ? 0 : 4;
}
