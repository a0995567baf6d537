// deno-lint-ignore-file no-unused-vars -- init() and handle() are called by the host, sdk/js/host.c
// Ping-pong in JavaScript: answers "ping" with "pong"; on "start <peer> <n>"
// plays n rounds against <peer> and then informs the requester "done <n>". The
// game lives in state under "pingpong" (JSON here: the format is the agent's own).
function init() {
  return caxton.registerCapability("pingpong");
}

function ping(peer, conversationId) {
  const out = { performative: "request", receiver: [peer], content: "ping", replyWith: "ping" };
  if (conversationId) out.conversationId = conversationId;
  return caxton.send(out);
}

function handle(msg) {
  const content = typeof msg.content === "string" ? msg.content : "";
  const code = (sent) => (sent === 0 ? 0 : 4);
  if (msg.performative === "request" && content === "ping") {
    return code(caxton.reply(msg, "inform", "pong"));
  }
  if (msg.performative === "request" && content.startsWith("start ")) {
    const words = content.split(" ").filter((w) => w.length > 0);
    const n = isDigits(words[2] ?? "") ? Number(words[2]) : 0;
    if (words.length < 3 || n < 1) {
      return code(caxton.reply(msg, "refuse", "expected: start <peer> <n>"));
    }
    if (ping(words[1], msg.conversationId) !== 0) return 4;
    const game = {
      requester: msg.sender,
      replyWith: msg.replyWith,
      conversationId: msg.conversationId,
      peer: words[1],
      n,
      done: 0,
    };
    return caxton.stateSet("pingpong", JSON.stringify(game)) === 0 ? 0 : 6;
  }
  if (msg.performative === "inform" && content === "pong") {
    const stored = caxton.stateGet("pingpong");
    if (stored === null) return 0; // no game: a stray pong
    const game = JSON.parse(stored);
    game.done += 1;
    if (game.done < game.n) {
      if (ping(game.peer, game.conversationId) !== 0) return 4;
      return caxton.stateSet("pingpong", JSON.stringify(game)) === 0 ? 0 : 6;
    }
    const done = { performative: "inform", receiver: [game.requester], content: `done ${game.n}` };
    if (game.replyWith) done.inReplyTo = game.replyWith;
    if (game.conversationId) done.conversationId = game.conversationId;
    if (caxton.send(done) !== 0) return 4;
    caxton.stateDelete("pingpong");
    return 0;
  }
  if (msg.performative === "request") {
    return code(caxton.reply(msg, "not-understood", "expected: ping | start <peer> <n>"));
  }
  return 0;
}

/** Whether `text` is a non-empty run of decimal digits (no RegExp: the host leaves it out). */
function isDigits(text) {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
