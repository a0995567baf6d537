/* Ping-pong in C: answers "ping" with "pong"; on "start <peer> <n>" plays n
 * rounds against <peer> and then informs the requester "done <n>".
 * The game lives in state under "pingpong":
 *   <requester>\n<replyWith>\n<conversationId>\n<peer>\n<n>\n<done> */
#include "caxton.h"

int caxton_on_init(void) { return caxton_register_capability("pingpong"); }

static caxton_str _line(caxton_str *rest) {
  caxton_str line = *rest;
  size_t i = 0;
  while (i < rest->len && rest->ptr[i] != '\n') i++;
  line.len = i;
  rest->ptr += i < rest->len ? i + 1 : i;
  rest->len -= i < rest->len ? i + 1 : i;
  return line;
}

static int _ping(caxton_str peer, caxton_str conversation) {
  caxton_out out = {0};
  out.performative = "request";
  out.receiver = peer;
  out.content = caxton_s("ping");
  out.conversation_id = conversation;
  out.reply_with = caxton_s("ping");
  return caxton_send(&out);
}

static int _save(caxton_str requester, caxton_str reply_with, caxton_str conversation,
                 caxton_str peer, uint64_t n, uint64_t done) {
  caxton_buf game = {0};
  caxton_buf_add(&game, requester);
  caxton_buf_adds(&game, "\n");
  caxton_buf_add(&game, reply_with);
  caxton_buf_adds(&game, "\n");
  caxton_buf_add(&game, conversation);
  caxton_buf_adds(&game, "\n");
  caxton_buf_add(&game, peer);
  caxton_buf_adds(&game, "\n");
  caxton_buf_u64(&game, n);
  caxton_buf_adds(&game, "\n");
  caxton_buf_u64(&game, done);
  return caxton_state_set(caxton_s("pingpong"), caxton_buf_str(&game));
}

int caxton_on_message(const caxton_msg *msg) {
  if (caxton_eq(msg->performative, "request") && caxton_eq(msg->content, "ping")) {
    return caxton_reply(msg, "inform", caxton_s("pong")) == 0 ? 0 : 4;
  }
  if (caxton_eq(msg->performative, "request") && caxton_starts_with(msg->content, "start ")) {
    caxton_str rest = msg->content;
    caxton_next_word(&rest);
    caxton_str peer = caxton_next_word(&rest);
    int64_t n = caxton_parse_u64(caxton_next_word(&rest));
    if (peer.ptr == NULL || n < 1) {
      return caxton_reply(msg, "refuse", caxton_s("expected: start <peer> <n>"));
    }
    if (_ping(peer, msg->conversation_id) != 0) return 4;
    return _save(msg->sender, msg->reply_with, msg->conversation_id, peer, (uint64_t)n, 0) == 0
               ? 0
               : 6;
  }
  if (caxton_eq(msg->performative, "inform") && caxton_eq(msg->content, "pong")) {
    caxton_str rest = caxton_state_get(caxton_s("pingpong"));
    if (rest.ptr == NULL) return 0; /* no game: a stray pong */
    caxton_str requester = _line(&rest), reply_with = _line(&rest),
               conversation = _line(&rest), peer = _line(&rest);
    int64_t n = caxton_parse_u64(_line(&rest));
    int64_t done = caxton_parse_u64(_line(&rest)) + 1;
    if (done < n) {
      if (_ping(peer, conversation) != 0) return 4;
      return _save(requester, reply_with, conversation, peer, (uint64_t)n, (uint64_t)done);
    }
    caxton_msg original = {0};
    original.sender = requester;
    original.reply_with = reply_with.len ? reply_with : (caxton_str){0};
    original.conversation_id = conversation.len ? conversation : (caxton_str){0};
    caxton_buf text = {0};
    caxton_buf_adds(&text, "done ");
    caxton_buf_u64(&text, (uint64_t)n);
    if (caxton_reply(&original, "inform", caxton_buf_str(&text)) != 0) return 4;
    caxton_state_delete(caxton_s("pingpong"));
    return 0;
  }
  if (caxton_eq(msg->performative, "request")) {
    return caxton_reply(msg, "not-understood", caxton_s("expected: ping | start <peer> <n>"));
  }
  return 0;
}
