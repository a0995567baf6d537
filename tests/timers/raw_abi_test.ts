import assert from "node:assert/strict";
import { startTestNode, tempDataDir, until } from "../_support/node.ts";
import { wat } from "../_support/wat.ts";

// The raw ABI, as docs/TIMERS.md shows it: a timer set in caxton_init; the message it
// brings is kept in state, and a second timer set and cancelled in the same message.
const HEARTBEAT = `
(module
  (import "caxton" "set_timer" (func $set_timer (param i64 i32 i32) (result i64)))
  (import "caxton" "cancel_timer" (func $cancel_timer (param i64) (result i32)))
  (import "caxton" "state_set" (func $state_set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "beat")
  (global $heap (mut i32) (i32.const 1024))
  (func (export "caxton_abi_v1"))
  (func (export "caxton_init") (result i32)
    (drop (call $set_timer (i64.const 20) (i32.const 16) (i32.const 4)))
    (i32.const 0))
  (func (export "caxton_alloc") (param $len i32) (result i32)
    (global.set $heap (i32.const 1024))
    (global.get $heap))
  (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
    (drop (call $cancel_timer (call $set_timer (i64.const 60000) (i32.const 16) (i32.const 4))))
    (call $state_set (i32.const 16) (i32.const 4) (local.get $ptr) (local.get $len)))
)`;

Deno.test("a raw WAT module imports set_timer and cancel_timer; the timer it set in init fires", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  await node.agents.deploy("heart", wat(HEARTBEAT));
  const id = node.agents.get("heart").id;
  await until(() => node.store.state.get(id, "beat") !== undefined, "the init timer fired");
  const beat = JSON.parse(new TextDecoder().decode(node.store.state.get(id, "beat")));
  assert.equal(beat.sender, "caxton");
  assert.equal(beat.ontology, "caxton-timer");
  assert.equal(beat.content.payload, "beat");
  assert.match(beat.conversationId, /^timer:\d+$/);
  // Set and cancelled in the same message: nothing pending.
  assert.equal(node.store.timers.count(id), 0);
});
