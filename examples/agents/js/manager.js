// deno-lint-ignore-file no-unused-vars -- init() and handle() are called by the host, sdk/js/host.c
// Contract Net manager in JavaScript. On `request` "<task> <deadline> <bidder>..."
// (with a conversationId) it sends each bidder a `cfp` <task> (replyBy <deadline>
// unless "-"), collects `propose` / `refuse` / `failure` until every bidder has
// answered, accepts the lowest price (ties: the smaller name), rejects the other
// proposals and informs the requester "<winner> <price>" (or "none"). A round
// lives in state under "cnp:<conversationId>" (JSON here).
const USAGE = "expected: <task> <deadline|-> <bidder>... and a conversationId";

function init() {
  return caxton.registerCapability("cnp-manager");
}

function start(msg) {
  const words = (typeof msg.content === "string" ? msg.content : "").split(" ").filter((w) => w);
  if (msg.conversationId === undefined || words.length < 3) {
    return caxton.reply(msg, "refuse", USAGE) === 0 ? 0 : 4;
  }
  const [task, deadline, ...bidders] = words;
  for (const bidder of bidders) {
    const cfp = {
      performative: "cfp",
      receiver: [bidder],
      content: task,
      conversationId: msg.conversationId,
      replyWith: bidder,
    };
    if (deadline !== "-") cfp.replyBy = deadline;
    if (caxton.send(cfp) !== 0) return 4;
  }
  const round = {
    requester: msg.sender,
    replyWith: msg.replyWith,
    task,
    pending: bidders,
    offers: [],
  };
  return caxton.stateSet(`cnp:${msg.conversationId}`, JSON.stringify(round)) === 0 ? 0 : 6;
}

function answer(msg) {
  if (msg.conversationId === undefined) return 0;
  const key = `cnp:${msg.conversationId}`;
  const stored = caxton.stateGet(key);
  if (stored === null) return 0; // no such round (or already decided): ignore
  const round = JSON.parse(stored);
  // count the answer only from a bidder still pending: a late or repeated one is ignored
  const at = round.pending.indexOf(msg.sender);
  if (at < 0) return 0;
  round.pending.splice(at, 1);
  if (msg.performative === "propose" && isDigits(String(msg.content))) {
    round.offers.push([msg.sender, Number(msg.content)]);
  }
  if (round.pending.length > 0) return caxton.stateSet(key, JSON.stringify(round)) === 0 ? 0 : 6;
  // every bidder has answered: the lowest price wins, ties to the smaller name
  let best = null;
  for (const offer of round.offers) {
    if (best === null || offer[1] < best[1] || (offer[1] === best[1] && offer[0] < best[0])) {
      best = offer;
    }
  }
  for (const [name] of round.offers) {
    const decision = {
      performative: best !== null && name === best[0] ? "accept-proposal" : "reject-proposal",
      receiver: [name],
      content: round.task,
      conversationId: msg.conversationId,
    };
    if (caxton.send(decision) !== 0) return 4;
  }
  const result = {
    performative: "inform",
    receiver: [round.requester],
    content: best === null ? "none" : `${best[0]} ${best[1]}`,
    conversationId: msg.conversationId,
  };
  if (round.replyWith) result.inReplyTo = round.replyWith;
  if (caxton.send(result) !== 0) return 4;
  caxton.stateDelete(key);
  return 0;
}

function handle(msg) {
  if (msg.performative === "request") return start(msg);
  if (["propose", "refuse", "failure"].includes(msg.performative)) return answer(msg);
  return 0; // e.g. the winner's inform "done"
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
