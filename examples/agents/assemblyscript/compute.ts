// Compute: a CPU-bound agent for the metering benchmark. On any message it
// counts the primes up to N (the content as a decimal string, else 200000)
// with a sieve of Eratosthenes and replies `inform` with the count as a JSON
// string. `compute` is exported too so a benchmark can time the same work
// without the message round trip, metered and unmetered.

import { quote, receive, reply, send } from "../../../sdk/assemblyscript/caxton";

export { caxton_abi_v1, caxton_alloc } from "../../../sdk/assemblyscript/caxton";

const DEFAULT_N: i32 = 200000;

/** How many primes are <= n. */
export function compute(n: i32): i32 {
  if (n < 2) return 0;
  // raw allocation, freed below: the benchmark calls this in a loop with no
  // message boundary at which the minimal runtime's collector could run
  const composite = heap.alloc(<usize> n + 1);
  memory.fill(composite, 0, <usize> n + 1);
  let count = 0;
  for (let i = 2; i <= n; i++) {
    if (load<u8>(composite + <usize> i) != 0) continue;
    count++;
    if (i > n / i) continue; // i * i > n, and i * i could overflow
    for (let j = i * i; j <= n; j += i) {
      store<u8>(composite + <usize> j, 1);
      if (j > n - i) break; // j + i would pass n, or overflow
    }
  }
  heap.free(composite);
  return count;
}

export function caxton_init(): i32 {
  return 0;
}

/** 0 handled; 1 malformed message, 2 no sender, 4 `send` refused the reply. */
export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  if (msg.sender == null) return 2;
  const n = msg.content != null ? _parseDecimal(msg.content!) : DEFAULT_N;
  return send(reply(msg, "inform", quote(compute(n).toString()))) == 0 ? 0 : 4;
}

/** `s` as a non-negative decimal below 2^31, or DEFAULT_N when it is not one. */
function _parseDecimal(s: string): i32 {
  if (s.length == 0 || s.length > 9) return DEFAULT_N; // 9 digits cannot overflow i32
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return DEFAULT_N;
    n = n * 10 + (c - 0x30);
  }
  return n;
}
