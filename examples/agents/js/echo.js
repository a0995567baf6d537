// deno-lint-ignore-file no-unused-vars -- init() and handle() are called by the host, sdk/js/host.c
// Echo in JavaScript (run by QuickJS inside the agent module, sdk/js): replies
// `inform` with the string content (or "pong"), threaded.
function init() {
  return caxton.registerCapability("echo");
}

function handle(msg) {
  if (msg.sender === undefined) return 2;
  return caxton.reply(msg, "inform", typeof msg.content === "string" ? msg.content : "pong") === 0
    ? 0
    : 4;
}
