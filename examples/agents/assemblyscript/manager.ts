// Contract Net manager in AssemblyScript. On `request` "<task> <deadline>
// <bidder>..." (with a conversationId) it sends each bidder a `cfp` <task>
// (replyBy <deadline> unless "-"), collects `propose` / `refuse` / `failure`
// until every bidder has answered, accepts the lowest price (ties: the smaller
// name), rejects the other proposals and informs the requester
// "<winner> <price>" (or "none"). A round lives in state under
// "cnp:<conversationId>":
//   <requester>\n<replyWith>\n<task>\n<pending bidders>\n<name:price proposals>

import {
  Message,
  Out,
  parseU64,
  receive,
  registerCapability,
  replyTo,
  stateDelete,
  stateGetString,
  stateSetString,
  words,
} from "../../../sdk/assemblyscript/caxton";

export { caxton_abi_v1, caxton_alloc } from "../../../sdk/assemblyscript/caxton";

const USAGE = "expected: <task> <deadline|-> <bidder>... and a conversationId";

export function caxton_init(): i32 {
  return registerCapability("cnp-manager");
}

function _start(msg: Message, conversation: string): i32 {
  const w = words(msg.text());
  if (w.length < 3) return replyTo(msg, "refuse").content(USAGE).send() == 0 ? 0 : 4;
  const task = w[0];
  const deadline = w[1];
  const bidders = w.slice(2);
  for (let i = 0; i < bidders.length; i++) {
    const sent = new Out("cfp", bidders[i]).content(task).conversationId(conversation)
      .replyWith(bidders[i]).replyBy(deadline != "-" ? deadline : null).send();
    if (sent != 0) return 4;
  }
  const round = (msg.sender != null ? msg.sender! : "") + "\n" +
    (msg.replyWith != null ? msg.replyWith! : "") + "\n" + task + "\n" + bidders.join(" ") + "\n";
  return stateSetString("cnp:" + conversation, round) == 0 ? 0 : 6;
}

function _answer(msg: Message, conversation: string): i32 {
  const key = "cnp:" + conversation;
  const round = stateGetString(key);
  if (round == null) return 0; // no such round (or already decided): ignore
  const lines = round.split("\n");
  if (lines.length < 5) return 5;
  const requester = lines[0];
  const replyWith = lines[1];
  const task = lines[2];
  const sender = msg.sender != null ? msg.sender! : "";
  // count the answer only from a bidder still pending: a late or repeated one is ignored
  const pending = words(lines[3]);
  const at = pending.indexOf(sender);
  if (at < 0) return 0;
  pending.splice(at, 1);
  const offers = words(lines[4]);
  if (msg.is("propose") && parseU64(msg.text()) >= 0) offers.push(sender + ":" + msg.text());
  if (pending.length > 0) {
    const next = requester + "\n" + replyWith + "\n" + task + "\n" + pending.join(" ") + "\n" +
      offers.join(" ");
    return stateSetString(key, next) == 0 ? 0 : 6;
  }
  // every bidder has answered: the lowest price wins, ties to the smaller name
  let best = "";
  let bestPrice: i64 = -1;
  for (let i = 0; i < offers.length; i++) {
    const colon = offers[i].lastIndexOf(":");
    const name = offers[i].substring(0, colon);
    const price = parseU64(offers[i].substring(colon + 1));
    if (bestPrice < 0 || price < bestPrice || (price == bestPrice && name < best)) {
      best = name;
      bestPrice = price;
    }
  }
  for (let i = 0; i < offers.length; i++) {
    const name = offers[i].substring(0, offers[i].lastIndexOf(":"));
    const performative = name == best ? "accept-proposal" : "reject-proposal";
    if (new Out(performative, name).content(task).conversationId(conversation).send() != 0) {
      return 4;
    }
  }
  const result = bestPrice >= 0 ? best + " " + bestPrice.toString() : "none";
  const sent = new Out("inform", requester).content(result).conversationId(conversation)
    .inReplyTo(replyWith.length > 0 ? replyWith : null).send();
  if (sent != 0) return 4;
  stateDelete(key);
  return 0;
}

export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  const conversation = msg.conversationId;
  if (conversation == null) {
    if (!msg.is("request")) return 0;
    return replyTo(msg, "refuse").content(USAGE).send() == 0 ? 0 : 4;
  }
  if (msg.is("request")) return _start(msg, conversation);
  if (msg.is("propose") || msg.is("refuse") || msg.is("failure")) {
    return _answer(msg, conversation);
  }
  return 0; // e.g. the winner's inform "done"
}
