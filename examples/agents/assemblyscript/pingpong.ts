// Ping-pong in AssemblyScript: answers "ping" with "pong"; on "start <peer> <n>"
// plays n rounds against <peer> and then informs the requester "done <n>". The
// game lives in state under "pingpong":
//   <requester>\n<replyWith>\n<conversationId>\n<peer>\n<n>\n<done>

import {
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

export function caxton_init(): i32 {
  return registerCapability("pingpong");
}

function _orNull(text: string): string | null {
  return text.length > 0 ? text : null;
}

function _ping(peer: string, conversation: string): i32 {
  return new Out("request", peer).content("ping").replyWith("ping")
    .conversationId(_orNull(conversation)).send();
}

export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  const content = msg.text();
  if (msg.is("request") && content == "ping") {
    return replyTo(msg, "inform").content("pong").send() == 0 ? 0 : 4;
  }
  if (msg.is("request") && content.startsWith("start ")) {
    const w = words(content);
    const n = w.length >= 3 ? parseU64(w[2]) : -1;
    if (n < 1) {
      return replyTo(msg, "refuse").content("expected: start <peer> <n>").send() == 0 ? 0 : 4;
    }
    const conversation = msg.conversationId != null ? msg.conversationId! : "";
    if (_ping(w[1], conversation) != 0) return 4;
    const game = (msg.sender != null ? msg.sender! : "") + "\n" +
      (msg.replyWith != null ? msg.replyWith! : "") + "\n" + conversation + "\n" + w[1] + "\n" +
      n.toString() + "\n0";
    return stateSetString("pingpong", game) == 0 ? 0 : 6;
  }
  if (msg.is("inform") && content == "pong") {
    const game = stateGetString("pingpong");
    if (game == null) return 0; // no game: a stray pong
    const lines = game.split("\n");
    if (lines.length < 6) return 5;
    const n = parseU64(lines[4]);
    const done = parseU64(lines[5]) + 1;
    if (done < n) {
      if (_ping(lines[3], lines[2]) != 0) return 4;
      const next = lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n" + lines[3] + "\n" +
        n.toString() + "\n" + done.toString();
      return stateSetString("pingpong", next) == 0 ? 0 : 6;
    }
    const sent = new Out("inform", lines[0]).content("done " + n.toString())
      .inReplyTo(_orNull(lines[1])).conversationId(_orNull(lines[2])).send();
    if (sent != 0) return 4;
    stateDelete("pingpong");
    return 0;
  }
  if (msg.is("request")) {
    return replyTo(msg, "not-understood").content("expected: ping | start <peer> <n>").send() == 0
      ? 0
      : 4;
  }
  return 0;
}
