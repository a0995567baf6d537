;; Counter: persistent state through the Caxton Agent ABI v1 (docs/ABI.md).
;;
;; Every message adds one to a u64 kept under the state key "count" (8 bytes,
;; little-endian) and replies `inform` to the sender with the new count as a
;; JSON string, threading `inReplyTo` / `conversationId` like echo.wat:
;;   {"performative":"inform","receiver":"<sender>","content":"<count>",...}
;; The count lives in Caxton's store, not in linear memory, so it survives
;; restarts and redeploys.
;;
;; Memory layout and allocation scheme: as in echo.wat (static strings in
;; 64-byte slots below 1024; `caxton_alloc` rewinds the bump heap because it is
;; called once per delivery, right before `caxton_handle`, and nothing in
;; linear memory outlives a message).
(module
  (import "caxton" "send" (func $send (param i32 i32) (result i32)))
  (import "caxton" "state_get" (func $state_get (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "state_set" (func $state_set (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "register_capability"
    (func $register_capability (param i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; offset  length  text
  (data (i32.const 64) "sender")                                     ;; 6
  (data (i32.const 128) "replyWith")                                 ;; 9
  (data (i32.const 192) "conversationId")                            ;; 14
  (data (i32.const 256) "count")                                     ;; 5
  (data (i32.const 320) "{\"performative\":\"inform\",\"receiver\":\"") ;; 37
  (data (i32.const 384) "\",\"content\":\"")                         ;; 13
  (data (i32.const 512) ",\"inReplyTo\":\"")                         ;; 14
  (data (i32.const 576) ",\"conversationId\":\"")                    ;; 19
  (data (i32.const 640) "counter")                                   ;; 7

  (global $heap_base i32 (i32.const 1024))
  (global $heap (mut i32) (i32.const 1024))

  ;; Marks the module as ABI v1; never called.
  (func (export "caxton_abi_v1"))

  (func (export "caxton_init") (result i32)
    (call $register_capability (i32.const 640) (i32.const 7)))

  (func (export "caxton_alloc") (param $len i32) (result i32)
    (global.set $heap (global.get $heap_base))
    (call $bump (local.get $len)))

  ;; Returns 8-byte aligned room for $len bytes, growing memory as needed;
  ;; 0 when memory cannot grow (the ABI's "out of memory").
  (func $bump (param $len i32) (result i32)
    (local $ptr i32) (local $end i32) (local $size i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    ;; unsigned wrap-around means $len was absurd
    (if (i32.lt_u (local.get $end) (local.get $ptr)) (then (return (i32.const 0))))
    (local.set $size (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $size))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u
                  (i32.add (i32.sub (local.get $end) (local.get $size)) (i32.const 0xffff))
                  (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; --- a minimal scanner over the top level of a JSON object ---------------
  ;; (copied from echo.wat: text-format modules cannot share code)

  (func $is_ws (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x09)))
      (i32.or (i32.eq (local.get $c) (i32.const 0x0a)) (i32.eq (local.get $c) (i32.const 0x0d)))))

  (func $skip_ws (param $p i32) (param $end i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $done (i32.eqz (call $is_ws (i32.load8_u (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $p))

  ;; $p is at an opening quote; returns the offset just past the closing
  ;; (unescaped) quote, or -1 when the string is not terminated.
  (func $skip_string (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) ;; "
        (then (return (i32.add (local.get $p) (i32.const 1)))))
      ;; a backslash escapes the next byte, whatever it is
      (local.set $p
        (i32.add (local.get $p)
          (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 0x5c)))))
      (br $next))
    (i32.const -1))

  ;; Returns the offset just past the JSON value at $p, or -1 when malformed.
  ;; Nested objects and arrays are skipped by depth, minding strings.
  (func $skip_value (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $depth i32) (local $start i32)
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x22))
      (then (return (call $skip_string (local.get $p) (local.get $end)))))
    (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
      (then
        (loop $next
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then
              (local.set $p (call $skip_string (local.get $p) (local.get $end)))
              (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
              (br $next)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
            (then (local.set $depth (i32.add (local.get $depth) (i32.const 1)))))
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7d)) (i32.eq (local.get $c) (i32.const 0x5d)))
            (then (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $next (i32.ne (local.get $depth) (i32.const 0))))
        (return (local.get $p))))
    ;; number, true, false or null: runs to the next delimiter
    (local.set $start (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $done (i32.eq (local.get $c) (i32.const 0x2c))) ;; ,
        (br_if $done (i32.eq (local.get $c) (i32.const 0x7d))) ;; }
        (br_if $done (i32.eq (local.get $c) (i32.const 0x5d))) ;; ]
        (br_if $done (call $is_ws (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (select (local.get $p) (i32.const -1) (i32.gt_u (local.get $p) (local.get $start))))

  (func $bytes_equal (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32)
    (result i32)
    (if (i32.ne (local.get $a_len) (local.get $b_len)) (then (return (i32.const 0))))
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $a_len)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $a_len (i32.sub (local.get $a_len) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Copies [$src, $src+$len) to $dst; returns the end of the copy.
  (func $append (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  (func $append_byte (param $dst i32) (param $byte i32) (result i32)
    (i32.store8 (local.get $dst) (local.get $byte))
    (i32.add (local.get $dst) (i32.const 1)))

  ;; Writes $n in decimal at $dst; returns the end of the digits.
  (func $append_decimal (param $dst i32) (param $n i64) (result i32)
    (local $len i32) (local $m i64) (local $p i32)
    ;; count the digits first so they can be written right to left in place
    (local.set $m (local.get $n))
    (loop $count
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (local.set $m (i64.div_u (local.get $m) (i64.const 10)))
      (br_if $count (i64.ne (local.get $m) (i64.const 0))))
    (local.set $p (i32.add (local.get $dst) (local.get $len)))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 0x30) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (i32.add (local.get $dst) (local.get $len)))

  ;; Returns 0 when handled; 1 malformed message, 2 no sender, 3 out of
  ;; memory, 4 `send` refused the reply, 5 the stored count is not 8 bytes,
  ;; 6 `state_set` refused the new count.
  (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
    (local $p i32) (local $end i32) (local $key i32) (local $key_len i32) (local $value i32)
    (local $sender i32) (local $sender_len i32)
    (local $reply_with i32) (local $reply_with_len i32)
    (local $conversation i32) (local $conversation_len i32)
    (local $count_buf i32) (local $stored i32) (local $count i64)
    (local $out i32) (local $q i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $p (call $skip_ws (local.get $ptr) (local.get $end)))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
    (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x7b)) (then (return (i32.const 1))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))

    (block $fields_done
      (loop $field
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        ;; a key must follow `{` or `,` (`{}` has no sender, so it fails either way)
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)) (then (return (i32.const 1))))
        ;; key
        (local.set $key (i32.add (local.get $p) (i32.const 1)))
        (local.set $p (call $skip_string (local.get $p) (local.get $end)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 1))))
        (local.set $key_len (i32.sub (i32.sub (local.get $p) (local.get $key)) (i32.const 1)))
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)) (then (return (i32.const 1))))
        ;; value
        (local.set $value
          (call $skip_ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
        (local.set $p (call $skip_value (local.get $value) (local.get $end)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 1))))
        ;; only string values matter; keep the raw text between the quotes
        (if (i32.eq (i32.load8_u (local.get $value)) (i32.const 0x22))
          (then
            (if (call $bytes_equal (local.get $key) (local.get $key_len) (i32.const 64) (i32.const 6))
              (then
                (local.set $sender (i32.add (local.get $value) (i32.const 1)))
                (local.set $sender_len
                  (i32.sub (i32.sub (local.get $p) (local.get $value)) (i32.const 2)))))
            (if (call $bytes_equal (local.get $key) (local.get $key_len) (i32.const 128) (i32.const 9))
              (then
                (local.set $reply_with (i32.add (local.get $value) (i32.const 1)))
                (local.set $reply_with_len
                  (i32.sub (i32.sub (local.get $p) (local.get $value)) (i32.const 2)))))
            (if (call $bytes_equal (local.get $key) (local.get $key_len) (i32.const 192) (i32.const 14))
              (then
                (local.set $conversation (i32.add (local.get $value) (i32.const 1)))
                (local.set $conversation_len
                  (i32.sub (i32.sub (local.get $p) (local.get $value)) (i32.const 2)))))))
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        (br_if $fields_done (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d)))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x2c)) (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $field)))

    (if (i32.eqz (local.get $sender)) (then (return (i32.const 2))))

    ;; read the count; absent leaves the zero in the buffer. Both cases run
    ;; the same instructions, so every message costs the same fuel.
    (local.set $count_buf (call $bump (i32.const 8)))
    (if (i32.eqz (local.get $count_buf)) (then (return (i32.const 3))))
    (i64.store (local.get $count_buf) (i64.const 0))
    (local.set $stored
      (call $state_get (i32.const 256) (i32.const 5) (local.get $count_buf) (i32.const 8)))
    (if (i32.and (i32.ne (local.get $stored) (i32.const -1)) (i32.ne (local.get $stored) (i32.const 8)))
      (then (return (i32.const 5))))
    (local.set $count (i64.add (i64.load (local.get $count_buf)) (i64.const 1)))

    ;; values come from the message, so $len bounds them; 128 covers the
    ;; fixed text and the at most 20 digits of a u64
    (local.set $out (call $bump (i32.add (local.get $len) (i32.const 128))))
    (if (i32.eqz (local.get $out)) (then (return (i32.const 3))))
    (local.set $q (call $append (local.get $out) (i32.const 320) (i32.const 37)))
    (local.set $q (call $append (local.get $q) (local.get $sender) (local.get $sender_len)))
    (local.set $q (call $append (local.get $q) (i32.const 384) (i32.const 13)))
    (local.set $q (call $append_decimal (local.get $q) (local.get $count)))
    (local.set $q (call $append_byte (local.get $q) (i32.const 0x22)))
    (if (local.get $reply_with)
      (then
        (local.set $q (call $append (local.get $q) (i32.const 512) (i32.const 14)))
        (local.set $q (call $append (local.get $q) (local.get $reply_with) (local.get $reply_with_len)))
        (local.set $q (call $append_byte (local.get $q) (i32.const 0x22)))))
    (if (local.get $conversation)
      (then
        (local.set $q (call $append (local.get $q) (i32.const 576) (i32.const 19)))
        (local.set $q
          (call $append (local.get $q) (local.get $conversation) (local.get $conversation_len)))
        (local.set $q (call $append_byte (local.get $q) (i32.const 0x22)))))
    (local.set $q (call $append_byte (local.get $q) (i32.const 0x7d)))

    ;; reply first, store last (docs/ABI.md: write state last): a refused
    ;; reply fails the message without advancing the count
    (if (call $send (local.get $out) (i32.sub (local.get $q) (local.get $out)))
      (then (return (i32.const 4))))
    (i64.store (local.get $count_buf) (local.get $count))
    (if (call $state_set (i32.const 256) (i32.const 5) (local.get $count_buf) (i32.const 8))
      (then (return (i32.const 6))))
    (i32.const 0))
)
