/**
 * Agents for storms, built from WAT: a storm agent that answers every message
 * with `fanout` informs to one receiver (itself, for a self-sustaining storm
 * that runs as fast as the node accepts, bounded by the mailbox), and a sink
 * that takes anything and says nothing.
 */
import { wat } from "./wat.ts";

/** A module that sends `fanout` informs to `to` for each message it handles, whatever `send` returns. */
export function stormAgent(to: string, fanout = 2): Uint8Array<ArrayBuffer> {
  const message = JSON.stringify({ performative: "inform", receiver: to, content: "storm" });
  const send = `(drop (call $send (i32.const 16) (i32.const ${message.length})))\n`;
  return _bytes(`(module
    (import "caxton" "send" (func $send (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) ${JSON.stringify(message)})
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 4096))
    (func (export "caxton_handle") (param i32 i32) (result i32)
      ${send.repeat(fanout)}
      (i32.const 0)))`);
}

/** A module that handles every message by doing nothing. */
export function sinkAgent(): Uint8Array<ArrayBuffer> {
  return _bytes(`(module
    (memory (export "memory") 1)
    (func (export "caxton_abi_v1"))
    (func (export "caxton_alloc") (param i32) (result i32) (i32.const 4096))
    (func (export "caxton_handle") (param i32 i32) (result i32) (i32.const 0)))`);
}

/** WAT to bytes fetch and Deno accept as a body. */
function _bytes(source: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(wat(source));
}
