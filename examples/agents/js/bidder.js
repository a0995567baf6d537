// deno-lint-ignore-file no-unused-vars -- init() and handle() are called by the host, sdk/js/host.c
// Contract Net bidder in JavaScript. On `cfp` <task> it prices the task at
// fnv1a32("<own name>:<task>") % 1000 and replies `refuse` "busy" below 100,
// else `propose` "<price>"; on `accept-proposal` it replies `inform` "done".
function init() {
  return caxton.registerCapability("bidder");
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
function fnv1a32(text) {
  let hash = 0x811c9dc5;
  const bytes = unescape(encodeURIComponent(text)); // one char per UTF-8 byte
  for (let i = 0; i < bytes.length; i++) {
    hash = Math.imul(hash ^ bytes.charCodeAt(i), 16777619) >>> 0;
  }
  return hash >>> 0;
}

function handle(msg) {
  let sent = 0;
  if (msg.performative === "cfp") {
    const name = Array.isArray(msg.receiver) ? msg.receiver[0] : msg.receiver;
    const price = fnv1a32(`${name}:${msg.content}`) % 1000;
    sent = price < 100
      ? caxton.reply(msg, "refuse", "busy")
      : caxton.reply(msg, "propose", String(price));
  } else if (msg.performative === "accept-proposal") {
    sent = caxton.reply(msg, "inform", "done");
  }
  return sent === 0 ? 0 : 4;
}
