// deno-lint-ignore-file no-unused-vars -- init() and handle() are called by the host, sdk/js/host.c
// Counter in JavaScript: each message adds one to a u64 stored under "count"
// (8 bytes, little-endian, as every language stores it) and replies `inform`
// with the new count as a string.
function init() {
  return caxton.registerCapability("counter");
}

function handle(msg) {
  if (msg.sender === undefined) return 2;
  const stored = caxton.stateGetBytes("count");
  if (stored !== null && stored.length !== 8) return 5;
  let count = 0;
  if (stored !== null) { for (let i = 7; i >= 0; i--) count = count * 256 + stored[i]; }
  count += 1;
  // reply first, store last: a refused reply fails the message without counting it
  if (caxton.reply(msg, "inform", String(count)) !== 0) return 4;
  caxton.log(2, `count is now ${count}`);
  const bytes = [];
  for (let i = 0, n = count; i < 8; i++, n = Math.floor(n / 256)) bytes.push(n % 256);
  return caxton.stateSetBytes("count", bytes) === 0 ? 0 : 6;
}
