;; Contract Net bidder in WebAssembly text: the raw ABI (docs/ABI.md) with no
;; SDK. On `cfp` with content <task> it prices the task at
;; fnv1a32("<own name>:<task>") % 1000 and replies `refuse` "busy" when that is
;; below 100, else `propose` "<price>". On `accept-proposal` it replies
;; `inform` "done". Anything else is ignored. (Behaviour:
;; examples/agents/README.md.) Names and the task are hashed as they appear in
;; the JSON text; the examples use names and tasks that need no escaping.
(module
  (import "caxton" "send" (func $send (param i32 i32) (result i32)))
  (import "caxton" "register_capability"
    (func $register_capability (param i32 i32) (result i32)))

  (memory (export "memory") 1)

  (data (i32.const 512) "cfp")                 ;; 3
  (data (i32.const 544) "accept-proposal")     ;; 15
  (data (i32.const 576) "propose")             ;; 7
  (data (i32.const 608) "refuse")              ;; 6
  (data (i32.const 640) "busy")                ;; 4
  (data (i32.const 672) "inform")              ;; 6
  (data (i32.const 704) "done")                ;; 4
  (data (i32.const 736) "bidder")              ;; 6

  (func (export "caxton_init") (result i32)
    (call $register_capability (i32.const 736) (i32.const 6)))
  ;; --- prelude shared by bidder.wat, pingpong.wat and manager.wat -------------------------
  ;; Memory layout
  ;;   [64, 1024)    static strings, 32-byte slots (table above)
  ;;   [1024, 1072)  parsed fields: (ptr, len) pairs, one per key 0..5
  ;;   [1100, 1106)  key lengths
  ;;   [2048, ...)   bump heap, rewound by caxton_alloc (as in echo.wat)
  ;; Field values are kept raw (JSON escapes and all): they go back out inside
  ;; quotes unchanged, and the examples' names and tasks need no escaping.

  (data (i32.const 64) "performative")              ;; key 0, 12
  (data (i32.const 96) "sender")                    ;; key 1, 6
  (data (i32.const 128) "receiver")                 ;; key 2, 8
  (data (i32.const 160) "content")                  ;; key 3, 7
  (data (i32.const 192) "replyWith")                ;; key 4, 9
  (data (i32.const 224) "conversationId")           ;; key 5, 14
  (data (i32.const 1100) "\0c\06\08\07\09\0e")       ;; their lengths
  (data (i32.const 256) "{\"performative\":\"")     ;; 17
  (data (i32.const 288) "\",\"receiver\":\"")       ;; 14
  (data (i32.const 320) "\",\"content\":\"")        ;; 13
  (data (i32.const 352) ",\"inReplyTo\":\"")        ;; 14
  (data (i32.const 384) ",\"conversationId\":\"")   ;; 19
  (data (i32.const 416) ",\"replyWith\":\"")        ;; 14
  (data (i32.const 448) ",\"replyBy\":\"")          ;; 12

  (global $heap_base i32 (i32.const 2048))
  (global $heap (mut i32) (i32.const 2048))

  ;; Marks the module as ABI v1; never called.
  (func (export "caxton_abi_v1"))

  (func (export "caxton_alloc") (param $len i32) (result i32)
    (global.set $heap (global.get $heap_base))
    (call $bump (local.get $len)))

  ;; 8-byte aligned room for $len bytes, growing memory as needed; 0 when it cannot.
  (func $bump (param $len i32) (result i32)
    (local $ptr i32) (local $end i32) (local $size i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
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

  ;; $p is at an opening quote; the offset past the closing quote, or -1.
  (func $skip_string (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22))
        (then (return (i32.add (local.get $p) (i32.const 1)))))
      (local.set $p
        (i32.add (local.get $p)
          (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 0x5c)))))
      (br $next))
    (i32.const -1))

  ;; The offset past the JSON value at $p, or -1 when malformed.
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
    (local.set $start (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $done (i32.eq (local.get $c) (i32.const 0x2c)))
        (br_if $done (i32.eq (local.get $c) (i32.const 0x7d)))
        (br_if $done (i32.eq (local.get $c) (i32.const 0x5d)))
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
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $a_len (i32.sub (local.get $a_len) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Field $k's (ptr, len); (0, 0) when absent or not a string.
  (func $field (param $k i32) (result i32 i32)
    (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 3))))
    (i32.load (i32.add (i32.const 1028) (i32.shl (local.get $k) (i32.const 3)))))

  ;; Whether field $k equals the static text [$s, $s+$n).
  (func $field_is (param $k i32) (param $s i32) (param $n i32) (result i32)
    (local $p i32) (local $len i32)
    (call $field (local.get $k))
    (local.set $len)
    (local.set $p)
    (i32.and (i32.ne (local.get $p) (i32.const 0))
      (call $bytes_equal (local.get $p) (local.get $len) (local.get $s) (local.get $n))))

  ;; Reads the top level of the message into the field table; 0 ok, 1 malformed.
  ;; `receiver` may be an array: its first string is taken.
  (func $parse (param $ptr i32) (param $len i32) (result i32)
    (local $p i32) (local $end i32) (local $key i32) (local $key_len i32) (local $value i32)
    (local $k i32) (local $s i32) (local $stop i32)
    (memory.fill (i32.const 1024) (i32.const 0) (i32.const 48))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $p (call $skip_ws (local.get $ptr) (local.get $end)))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
    (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x7b)) (then (return (i32.const 1))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (block $fields_done
      (loop $field
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)) (then (return (i32.const 1))))
        (local.set $key (i32.add (local.get $p) (i32.const 1)))
        (local.set $p (call $skip_string (local.get $p) (local.get $end)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 1))))
        (local.set $key_len (i32.sub (i32.sub (local.get $p) (local.get $key)) (i32.const 1)))
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)) (then (return (i32.const 1))))
        (local.set $value (call $skip_ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
        (local.set $p (call $skip_value (local.get $value) (local.get $end)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const 1))))
        ;; an array value: look at its first element (only receiver keeps it)
        (local.set $s (local.get $value))
        (if (i32.eq (i32.load8_u (local.get $value)) (i32.const 0x5b))
          (then (local.set $s
            (call $skip_ws (i32.add (local.get $value) (i32.const 1)) (local.get $p)))))
        (local.set $k (i32.const 0))
        (loop $keys
          (if (call $bytes_equal (local.get $key) (local.get $key_len)
                (i32.add (i32.const 64) (i32.shl (local.get $k) (i32.const 5)))
                (i32.load8_u (i32.add (i32.const 1100) (local.get $k))))
            (then
              (if (i32.and
                    (i32.or (i32.eq (local.get $s) (local.get $value)) (i32.eq (local.get $k) (i32.const 2)))
                    (i32.and (i32.lt_u (local.get $s) (local.get $p))
                      (i32.eq (i32.load8_u (local.get $s)) (i32.const 0x22))))
                (then
                  (local.set $stop (call $skip_string (local.get $s) (local.get $p)))
                  (if (i32.lt_s (local.get $stop) (i32.const 0)) (then (return (i32.const 1))))
                  (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 3)))
                    (i32.add (local.get $s) (i32.const 1)))
                  (i32.store (i32.add (i32.const 1028) (i32.shl (local.get $k) (i32.const 3)))
                    (i32.sub (i32.sub (local.get $stop) (local.get $s)) (i32.const 2)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $keys (i32.lt_u (local.get $k) (i32.const 6))))
        (local.set $p (call $skip_ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 1))))
        (br_if $fields_done (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d)))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x2c)) (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $field)))
    (i32.const 0))

  (func $append (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  (func $append_byte (param $dst i32) (param $byte i32) (result i32)
    (i32.store8 (local.get $dst) (local.get $byte))
    (i32.add (local.get $dst) (i32.const 1)))

  ;; Appends `<prefix>"<text>"`-style optional field: nothing when $len is 0.
  (func $append_field (param $dst i32) (param $prefix i32) (param $prefix_len i32)
    (param $text i32) (param $len i32) (result i32)
    (if (i32.eqz (local.get $len)) (then (return (local.get $dst))))
    (local.set $dst (call $append (local.get $dst) (local.get $prefix) (local.get $prefix_len)))
    (local.set $dst (call $append (local.get $dst) (local.get $text) (local.get $len)))
    (call $append_byte (local.get $dst) (i32.const 0x22)))

  (func $append_decimal (param $dst i32) (param $n i64) (result i32)
    (local $len i32) (local $m i64) (local $p i32)
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

  ;; A decimal number in [$p, $p+$len); -1 when empty or not all digits.
  (func $parse_decimal (param $p i32) (param $len i32) (result i64)
    (local $n i64) (local $c i32)
    (if (i32.or (i32.eqz (local.get $len)) (i32.gt_u (local.get $len) (i32.const 18)))
      (then (return (i64.const -1))))
    (loop $next
      (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30)))
      (if (i32.gt_u (local.get $c) (i32.const 9)) (then (return (i64.const -1))))
      (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br_if $next (local.get $len)))
    (local.get $n))

  ;; Sends {"performative":"<perf>","receiver":"<to>","content":"<content>"} plus
  ;; inReplyTo, replyWith, conversationId and replyBy when their lengths are not 0.
  ;; Returns send's code, or 3 when out of memory.
  (func $send_msg (param $perf i32) (param $perf_len i32) (param $to i32) (param $to_len i32)
    (param $content i32) (param $content_len i32) (param $irt i32) (param $irt_len i32)
    (param $rw i32) (param $rw_len i32) (param $conv i32) (param $conv_len i32)
    (param $rb i32) (param $rb_len i32) (result i32)
    (local $out i32) (local $q i32)
    (local.set $out (call $bump (i32.add (i32.add (i32.const 160) (local.get $rb_len))
      (i32.add (i32.add (i32.add (local.get $perf_len) (local.get $to_len))
                        (i32.add (local.get $content_len) (local.get $irt_len)))
               (i32.add (local.get $rw_len) (local.get $conv_len))))))
    (if (i32.eqz (local.get $out)) (then (return (i32.const 3))))
    (local.set $q (call $append (local.get $out) (i32.const 256) (i32.const 17)))
    (local.set $q (call $append (local.get $q) (local.get $perf) (local.get $perf_len)))
    (local.set $q (call $append (local.get $q) (i32.const 288) (i32.const 14)))
    (local.set $q (call $append (local.get $q) (local.get $to) (local.get $to_len)))
    (local.set $q (call $append (local.get $q) (i32.const 320) (i32.const 13)))
    (local.set $q (call $append (local.get $q) (local.get $content) (local.get $content_len)))
    (local.set $q (call $append_byte (local.get $q) (i32.const 0x22)))
    (local.set $q (call $append_field (local.get $q) (i32.const 352) (i32.const 14)
      (local.get $irt) (local.get $irt_len)))
    (local.set $q (call $append_field (local.get $q) (i32.const 416) (i32.const 14)
      (local.get $rw) (local.get $rw_len)))
    (local.set $q (call $append_field (local.get $q) (i32.const 384) (i32.const 19)
      (local.get $conv) (local.get $conv_len)))
    (local.set $q (call $append_field (local.get $q) (i32.const 448) (i32.const 12)
      (local.get $rb) (local.get $rb_len)))
    (local.set $q (call $append_byte (local.get $q) (i32.const 0x7d)))
    (call $send (local.get $out) (i32.sub (local.get $q) (local.get $out))))

  ;; Replies to the parsed message: to its sender, threading inReplyTo and conversationId.
  ;; 0 sent, 2 no sender, otherwise $send_msg's code.
  (func $reply (param $perf i32) (param $perf_len i32) (param $content i32) (param $content_len i32)
    (result i32)
    (local $to i32) (local $to_len i32) (local $rw i32) (local $rw_len i32)
    (local $conv i32) (local $conv_len i32)
    (call $field (i32.const 1)) (local.set $to_len) (local.set $to)
    (if (i32.eqz (local.get $to)) (then (return (i32.const 2))))
    (call $field (i32.const 4)) (local.set $rw_len) (local.set $rw)
    (call $field (i32.const 5)) (local.set $conv_len) (local.set $conv)
    (call $send_msg (local.get $perf) (local.get $perf_len) (local.get $to) (local.get $to_len)
      (local.get $content) (local.get $content_len) (local.get $rw) (local.get $rw_len)
      (i32.const 0) (i32.const 0) (local.get $conv) (local.get $conv_len) (i32.const 0) (i32.const 0)))
  ;; --- end of prelude ---------------------------------------------------------

  (func $fnv1a (param $hash i32) (param $p i32) (param $len i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $hash
          (i32.mul (i32.xor (local.get $hash) (i32.load8_u (local.get $p))) (i32.const 16777619)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $hash))

  ;; 0 handled; 1 malformed, 2 no sender, 3 out of memory, 4 `send` refused.
  (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
    (local $name i32) (local $name_len i32) (local $task i32) (local $task_len i32)
    (local $hash i32) (local $price i32) (local $text i32) (local $end i32)
    (if (call $parse (local.get $ptr) (local.get $len)) (then (return (i32.const 1))))
    (if (call $field_is (i32.const 0) (i32.const 512) (i32.const 3))
      (then
        (call $field (i32.const 2)) (local.set $name_len) (local.set $name)
        (call $field (i32.const 3)) (local.set $task_len) (local.set $task)
        (local.set $hash (call $fnv1a (i32.const 0x811c9dc5) (local.get $name) (local.get $name_len)))
        (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.const 0x3a)) (i32.const 16777619)))
        (local.set $hash (call $fnv1a (local.get $hash) (local.get $task) (local.get $task_len)))
        (local.set $price (i32.rem_u (local.get $hash) (i32.const 1000)))
        (if (i32.lt_u (local.get $price) (i32.const 100))
          (then (return (call $_code (call $reply (i32.const 608) (i32.const 6) (i32.const 640) (i32.const 4))))))
        (local.set $text (call $bump (i32.const 8)))
        (if (i32.eqz (local.get $text)) (then (return (i32.const 3))))
        (local.set $end (call $append_decimal (local.get $text) (i64.extend_i32_u (local.get $price))))
        (return (call $_code (call $reply (i32.const 576) (i32.const 7)
          (local.get $text) (i32.sub (local.get $end) (local.get $text)))))))
    (if (call $field_is (i32.const 0) (i32.const 544) (i32.const 15))
      (then (return (call $_code (call $reply (i32.const 672) (i32.const 6) (i32.const 704) (i32.const 4))))))
    (i32.const 0))

  ;; Maps a reply's result to the handler's code: 0, 2 and 3 stand; send's refusals are 4.
  (func $_code (param $sent i32) (result i32)
    (if (i32.or (i32.eqz (local.get $sent))
          (i32.or (i32.eq (local.get $sent) (i32.const 2)) (i32.eq (local.get $sent) (i32.const 3))))
      (then (return (local.get $sent))))
    (i32.const 4))
)
