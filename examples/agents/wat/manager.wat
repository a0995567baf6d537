;; Contract Net manager in WebAssembly text: the raw ABI (docs/ABI.md) with no
;; SDK. On `request` "<task> <deadline> <bidder>..." (with a conversationId) it
;; sends each bidder a `cfp` <task> (replyBy <deadline> unless "-"), collects
;; `propose` / `refuse` / `failure` until every bidder has answered, accepts the
;; lowest price (ties: the smaller name), rejects the other proposals and
;; informs the requester "<winner> <price>" (or "none"). A round lives in state
;; under "cnp:<conversationId>":
;;   <requester>\n<replyWith>\n<task>\n<pending bidders>\n<name:price proposals>
;; (behaviour: examples/agents/README.md).
(module
  (import "caxton" "send" (func $send (param i32 i32) (result i32)))
  (import "caxton" "state_get" (func $state_get (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "state_set" (func $state_set (param i32 i32 i32 i32) (result i32)))
  (import "caxton" "state_delete" (func $state_delete (param i32 i32) (result i32)))
  (import "caxton" "register_capability"
    (func $register_capability (param i32 i32) (result i32)))

  (memory (export "memory") 1)

  (data (i32.const 512) "request")                   ;; 7
  (data (i32.const 544) "propose")                   ;; 7
  (data (i32.const 576) "refuse")                    ;; 6
  (data (i32.const 608) "failure")                   ;; 7
  (data (i32.const 640) "cfp")                       ;; 3
  (data (i32.const 672) "accept-proposal")           ;; 15
  (data (i32.const 704) "reject-proposal")           ;; 15
  (data (i32.const 736) "inform")                    ;; 6
  (data (i32.const 768) "none")                      ;; 4
  (data (i32.const 800) "cnp:")                      ;; 4
  (data (i32.const 832) "cnp-manager")               ;; 11
  (data (i32.const 864) "-")                         ;; 1
  (data (i32.const 896) "expected: <task> <deadline|-> <bidder>... and a conversationId") ;; 62

  (func (export "caxton_init") (result i32)
    (call $register_capability (i32.const 832) (i32.const 11)))
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

  (global $msg_len (mut i32) (i32.const 0))

  ;; The next space-separated word at or after $p: (start, len); len 0 when none is left.
  (func $word (param $p i32) (param $end i32) (result i32 i32)
    (local $start i32)
    (block $found
      (loop $skip
        (br_if $found (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $found (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x20)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $skip)))
    (local.set $start (local.get $p))
    (block $stop
      (loop $scan
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $stop (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x20)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (local.get $start)
    (i32.sub (local.get $p) (local.get $start)))

  ;; Line $k (0-based, split on \n) of [$p, $p+$len): (ptr, len); (0, 0) past the last.
  (func $line (param $p i32) (param $len i32) (param $k i32) (result i32 i32)
    (local $end i32) (local $start i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (loop $skip
      (if (local.get $k)
        (then
          (block $found
            (loop $scan
              (if (i32.ge_u (local.get $p) (local.get $end))
                (then (return (i32.const 0) (i32.const 0))))
              (br_if $found (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x0a)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $scan)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $skip))))
    (local.set $start (local.get $p))
    (block $stop
      (loop $scan
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $stop (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x0a)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (local.get $start)
    (i32.sub (local.get $p) (local.get $start)))

  (func $append_line (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (call $append_byte (call $append (local.get $dst) (local.get $src) (local.get $len))
      (i32.const 0x0a)))

  ;; Whether [$a, +$a_len) sorts before [$b, +$b_len), bytewise.
  (func $bytes_less (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32)
    (result i32)
    (local $x i32) (local $y i32)
    (loop $next
      (if (i32.eqz (local.get $b_len)) (then (return (i32.const 0))))
      (if (i32.eqz (local.get $a_len)) (then (return (i32.const 1))))
      (local.set $x (i32.load8_u (local.get $a)))
      (local.set $y (i32.load8_u (local.get $b)))
      (if (i32.ne (local.get $x) (local.get $y))
        (then (return (i32.lt_u (local.get $x) (local.get $y)))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (local.set $a_len (i32.sub (local.get $a_len) (i32.const 1)))
      (local.set $b_len (i32.sub (local.get $b_len) (i32.const 1)))
      (br $next))
    (i32.const 0))

  ;; The state key "cnp:<conversationId>": (ptr, len); (0, 0) when out of memory.
  (func $key (result i32 i32)
    (local $c i32) (local $c_len i32) (local $k i32)
    (call $field (i32.const 5)) (local.set $c_len) (local.set $c)
    (local.set $k (call $bump (i32.add (local.get $c_len) (i32.const 4))))
    (if (i32.eqz (local.get $k)) (then (return (i32.const 0) (i32.const 0))))
    (drop (call $append (call $append (local.get $k) (i32.const 800) (i32.const 4))
      (local.get $c) (local.get $c_len)))
    (local.get $k)
    (i32.add (local.get $c_len) (i32.const 4)))

  (func $_code (param $sent i32) (result i32)
    (if (i32.or (i32.eqz (local.get $sent))
          (i32.or (i32.eq (local.get $sent) (i32.const 2)) (i32.eq (local.get $sent) (i32.const 3))))
      (then (return (local.get $sent))))
    (i32.const 4))

  ;; A request: one cfp per bidder, and the round stored.
  (func $start (result i32)
    (local $c i32) (local $end i32) (local $task i32) (local $task_len i32)
    (local $dl i32) (local $dl_len i32) (local $rb i32) (local $rb_len i32)
    (local $b i32) (local $b_len i32) (local $bidders i32) (local $count i32)
    (local $conv i32) (local $conv_len i32) (local $f i32) (local $f_len i32)
    (local $buf i32) (local $q i32) (local $k i32) (local $k_len i32)
    (call $field (i32.const 3)) (local.set $f_len) (local.set $c)
    (local.set $end (i32.add (local.get $c) (local.get $f_len)))
    (call $word (local.get $c) (local.get $end)) (local.set $task_len) (local.set $task)
    (call $word (i32.add (local.get $task) (local.get $task_len)) (local.get $end))
    (local.set $dl_len) (local.set $dl)
    (local.set $bidders (i32.add (local.get $dl) (local.get $dl_len)))
    (call $word (local.get $bidders) (local.get $end)) (local.set $b_len) (local.set $b)
    (call $field (i32.const 5)) (local.set $conv_len) (local.set $conv)
    (if (i32.or (i32.or (i32.eqz (local.get $conv)) (i32.eqz (local.get $b_len)))
          (i32.or (i32.eqz (local.get $task_len)) (i32.eqz (local.get $dl_len))))
      (then (return (call $_code (call $reply (i32.const 576) (i32.const 6) (i32.const 896) (i32.const 62))))))
    (if (i32.eqz (call $bytes_equal (local.get $dl) (local.get $dl_len) (i32.const 864) (i32.const 1)))
      (then (local.set $rb (local.get $dl)) (local.set $rb_len (local.get $dl_len))))
    (loop $each
      (if (call $send_msg (i32.const 640) (i32.const 3) (local.get $b) (local.get $b_len)
            (local.get $task) (local.get $task_len) (i32.const 0) (i32.const 0)
            (local.get $b) (local.get $b_len) (local.get $conv) (local.get $conv_len)
            (local.get $rb) (local.get $rb_len))
        (then (return (i32.const 4))))
      (call $word (i32.add (local.get $b) (local.get $b_len)) (local.get $end))
      (local.set $b_len) (local.set $b)
      (br_if $each (local.get $b_len)))
    ;; the round: every line comes from the message, so its length bounds them
    (local.set $buf (call $bump (i32.add (global.get $msg_len) (i32.const 64))))
    (if (i32.eqz (local.get $buf)) (then (return (i32.const 3))))
    (call $field (i32.const 1)) (local.set $f_len) (local.set $f)
    (local.set $q (call $append_line (local.get $buf) (local.get $f) (local.get $f_len)))
    (call $field (i32.const 4)) (local.set $f_len) (local.set $f)
    (local.set $q (call $append_line (local.get $q) (local.get $f) (local.get $f_len)))
    (local.set $q (call $append_line (local.get $q) (local.get $task) (local.get $task_len)))
    (local.set $q (call $append_line (local.get $q) (local.get $bidders)
      (i32.sub (local.get $end) (local.get $bidders))))
    (call $key) (local.set $k_len) (local.set $k)
    (if (i32.eqz (local.get $k)) (then (return (i32.const 3))))
    (if (call $state_set (local.get $k) (local.get $k_len) (local.get $buf)
          (i32.sub (local.get $q) (local.get $buf)))
      (then (return (i32.const 6))))
    (i32.const 0))

  ;; A propose, refuse or failure from a pending bidder: counted once; the last decides.
  (func $answer (result i32)
    (local $k i32) (local $k_len i32) (local $buf i32) (local $size i32)
    (local $sender i32) (local $sender_len i32)
    (local $pend i32) (local $pend_len i32) (local $offers i32) (local $offers_len i32)
    (local $w i32) (local $w_len i32) (local $found i32)
    (local $out i32) (local $q i32) (local $rest i32) (local $price i64)
    (local $best i32) (local $best_len i32) (local $best_price i64)
    (local $name_len i32) (local $colon i32)
    (local $a i32) (local $a_len i32) (local $t i32) (local $t_len i32)
    (local $c i32) (local $c_len i32)
    (call $field (i32.const 5)) (local.set $c_len) (local.set $c)
    (if (i32.eqz (local.get $c)) (then (return (i32.const 0))))
    (call $key) (local.set $k_len) (local.set $k)
    (if (i32.eqz (local.get $k)) (then (return (i32.const 3))))
    (local.set $buf (call $bump (i32.const 4096)))
    (if (i32.eqz (local.get $buf)) (then (return (i32.const 3))))
    (local.set $size (call $state_get (local.get $k) (local.get $k_len) (local.get $buf) (i32.const 4096)))
    (if (i32.lt_s (local.get $size) (i32.const 0)) (then (return (i32.const 0)))) ;; no such round
    (if (i32.gt_u (local.get $size) (i32.const 4096))
      (then
        (local.set $buf (call $bump (local.get $size)))
        (if (i32.eqz (local.get $buf)) (then (return (i32.const 3))))
        (drop (call $state_get (local.get $k) (local.get $k_len) (local.get $buf) (local.get $size)))))
    (call $field (i32.const 1)) (local.set $sender_len) (local.set $sender)
    (call $line (local.get $buf) (local.get $size) (i32.const 3)) (local.set $pend_len) (local.set $pend)
    (call $line (local.get $buf) (local.get $size) (i32.const 4)) (local.set $offers_len) (local.set $offers)
    ;; the next round: lines 0-2 as they are, the pending line without the sender,
    ;; the offers plus this one
    (local.set $out (call $bump (i32.add (i32.add (local.get $size) (global.get $msg_len)) (i32.const 16))))
    (if (i32.eqz (local.get $out)) (then (return (i32.const 3))))
    (local.set $q (call $append (local.get $out) (local.get $buf) (i32.sub (local.get $pend) (local.get $buf))))
    (local.set $rest (local.get $q))
    (local.set $w (local.get $pend))
    (local.set $w_len (i32.const 0))
    (loop $each
      (call $word (i32.add (local.get $w) (local.get $w_len)) (i32.add (local.get $pend) (local.get $pend_len)))
      (local.set $w_len) (local.set $w)
      (if (local.get $w_len)
        (then
          (if (i32.and (i32.eqz (local.get $found))
                (call $bytes_equal (local.get $w) (local.get $w_len) (local.get $sender) (local.get $sender_len)))
            (then (local.set $found (i32.const 1)))
            (else
              (if (i32.ne (local.get $q) (local.get $rest))
                (then (local.set $q (call $append_byte (local.get $q) (i32.const 0x20)))))
              (local.set $q (call $append (local.get $q) (local.get $w) (local.get $w_len)))))
          (br $each))))
    (if (i32.eqz (local.get $found)) (then (return (i32.const 0)))) ;; late or repeated: ignored
    (local.set $rest (i32.sub (local.get $q) (local.get $rest))) ;; length of the new pending line
    (local.set $q (call $append_byte (local.get $q) (i32.const 0x0a)))
    (local.set $a (local.get $q)) ;; start of the new offers line
    (local.set $q (call $append (local.get $q) (local.get $offers) (local.get $offers_len)))
    (call $field (i32.const 3)) (local.set $t_len) (local.set $t)
    (if (i32.and (call $field_is (i32.const 0) (i32.const 544) (i32.const 7))
          (i64.ge_s (call $parse_decimal (local.get $t) (local.get $t_len)) (i64.const 0)))
      (then
        (if (local.get $offers_len) (then (local.set $q (call $append_byte (local.get $q) (i32.const 0x20)))))
        (local.set $q (call $append (local.get $q) (local.get $sender) (local.get $sender_len)))
        (local.set $q (call $append_byte (local.get $q) (i32.const 0x3a)))
        (local.set $q (call $append (local.get $q) (local.get $t) (local.get $t_len)))))
    (if (local.get $rest)
      (then
        (if (call $state_set (local.get $k) (local.get $k_len) (local.get $out)
              (i32.sub (local.get $q) (local.get $out)))
          (then (return (i32.const 6))))
        (return (i32.const 0))))
    ;; every bidder has answered: the lowest price wins, ties to the smaller name
    (local.set $offers (local.get $a))
    (local.set $offers_len (i32.sub (local.get $q) (local.get $a)))
    (local.set $best_price (i64.const -1))
    (local.set $w (local.get $offers))
    (local.set $w_len (i32.const 0))
    (loop $pick
      (call $word (i32.add (local.get $w) (local.get $w_len)) (i32.add (local.get $offers) (local.get $offers_len)))
      (local.set $w_len) (local.set $w)
      (if (local.get $w_len)
        (then
          (local.set $colon (i32.add (local.get $w) (local.get $w_len)))
          (loop $back
            (local.set $colon (i32.sub (local.get $colon) (i32.const 1)))
            (br_if $back (i32.and (i32.gt_u (local.get $colon) (local.get $w))
              (i32.ne (i32.load8_u (local.get $colon)) (i32.const 0x3a)))))
          (local.set $name_len (i32.sub (local.get $colon) (local.get $w)))
          (local.set $price (call $parse_decimal (i32.add (local.get $colon) (i32.const 1))
            (i32.sub (i32.sub (i32.add (local.get $w) (local.get $w_len)) (local.get $colon)) (i32.const 1))))
          (if (i32.or (i64.lt_s (local.get $best_price) (i64.const 0))
                (i32.or (i64.lt_s (local.get $price) (local.get $best_price))
                  (i32.and (i64.eq (local.get $price) (local.get $best_price))
                    (call $bytes_less (local.get $w) (local.get $name_len) (local.get $best) (local.get $best_len)))))
            (then
              (local.set $best (local.get $w))
              (local.set $best_len (local.get $name_len))
              (local.set $best_price (local.get $price))))
          (br $pick))))
    (call $line (local.get $buf) (local.get $size) (i32.const 2)) (local.set $t_len) (local.set $t)
    (local.set $w (local.get $offers))
    (local.set $w_len (i32.const 0))
    (loop $decide
      (call $word (i32.add (local.get $w) (local.get $w_len)) (i32.add (local.get $offers) (local.get $offers_len)))
      (local.set $w_len) (local.set $w)
      (if (local.get $w_len)
        (then
          (local.set $colon (i32.add (local.get $w) (local.get $w_len)))
          (loop $back
            (local.set $colon (i32.sub (local.get $colon) (i32.const 1)))
            (br_if $back (i32.and (i32.gt_u (local.get $colon) (local.get $w))
              (i32.ne (i32.load8_u (local.get $colon)) (i32.const 0x3a)))))
          (local.set $name_len (i32.sub (local.get $colon) (local.get $w)))
          (if (call $send_msg
                (select (i32.const 672) (i32.const 704) (i32.eq (local.get $w) (local.get $best)))
                (i32.const 15) (local.get $w) (local.get $name_len) (local.get $t) (local.get $t_len)
                (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                (local.get $c) (local.get $c_len) (i32.const 0) (i32.const 0))
            (then (return (i32.const 4))))
          (br $decide))))
    ;; "<winner> <price>" or "none" to the requester, threaded to the request
    (local.set $a (call $bump (i32.add (local.get $best_len) (i32.const 32))))
    (if (i32.eqz (local.get $a)) (then (return (i32.const 3))))
    (if (local.get $best_len)
      (then
        (local.set $q (call $append (local.get $a) (local.get $best) (local.get $best_len)))
        (local.set $q (call $append_byte (local.get $q) (i32.const 0x20)))
        (local.set $q (call $append_decimal (local.get $q) (local.get $best_price))))
      (else (local.set $q (call $append (local.get $a) (i32.const 768) (i32.const 4)))))
    (call $line (local.get $buf) (local.get $size) (i32.const 0)) (local.set $w_len) (local.set $w)
    (call $line (local.get $buf) (local.get $size) (i32.const 1)) (local.set $name_len) (local.set $colon)
    (if (call $send_msg (i32.const 736) (i32.const 6) (local.get $w) (local.get $w_len)
          (local.get $a) (i32.sub (local.get $q) (local.get $a))
          (local.get $colon) (local.get $name_len) (i32.const 0) (i32.const 0)
          (local.get $c) (local.get $c_len) (i32.const 0) (i32.const 0))
      (then (return (i32.const 4))))
    (drop (call $state_delete (local.get $k) (local.get $k_len)))
    (i32.const 0))

  ;; 0 handled; 1 malformed, 2 no sender, 3 out of memory, 4 `send` refused,
  ;; 6 `state_set` refused.
  (func (export "caxton_handle") (param $ptr i32) (param $len i32) (result i32)
    (global.set $msg_len (local.get $len))
    (if (call $parse (local.get $ptr) (local.get $len)) (then (return (i32.const 1))))
    (if (call $field_is (i32.const 0) (i32.const 512) (i32.const 7)) (then (return (call $start))))
    (if (i32.or (call $field_is (i32.const 0) (i32.const 544) (i32.const 7))
          (i32.or (call $field_is (i32.const 0) (i32.const 576) (i32.const 6))
            (call $field_is (i32.const 0) (i32.const 608) (i32.const 7))))
      (then (return (call $answer))))
    (i32.const 0)) ;; e.g. the winner's inform "done"
)
