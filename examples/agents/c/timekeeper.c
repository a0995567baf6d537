/* Timekeeper in C: durable timers from the C SDK (docs/TIMERS.md).
 * - "set <delayMs> <payload>": sets a timer, remembers the asker, replies
 *   `inform` with the timer's id (a JSON number, or the host's negative code);
 * - "cancel <id>": cancels it, replies `inform` with the host's code;
 * - a timer firing (from caxton, ontology caxton-timer): forwards the timer's
 *   content to the last asker. */
#include "caxton.h"

/* `value` as JSON number text (signed). */
static caxton_str _number(int64_t value) {
  caxton_buf text = {0};
  if (value < 0) caxton_buf_adds(&text, "-");
  caxton_buf_u64(&text, (uint64_t)(value < 0 ? -value : value));
  return caxton_buf_str(&text);
}

static int _answer(const caxton_msg *msg, int64_t value) {
  caxton_out out = caxton_reply_to(msg, "inform");
  out.content_json = _number(value);
  return caxton_send(&out) == 0 ? 0 : 4;
}

/* 0 handled; 2 no sender, 3 state refused, 4 `send` refused, 5 bad command. */
int caxton_on_message(const caxton_msg *msg) {
  if (msg->sender.ptr == NULL) return 2;
  if (caxton_eq(msg->sender, "caxton") && caxton_eq(msg->ontology, "caxton-timer")) {
    caxton_str asker = caxton_state_get(caxton_s("asker"));
    if (asker.ptr == NULL) return 0;
    caxton_out out = {.performative = "inform", .receiver = asker};
    out.content_json = msg->content_json;
    return caxton_send(&out) == 0 ? 0 : 4;
  }
  caxton_str rest = msg->content;
  caxton_str verb = caxton_next_word(&rest);
  caxton_str first = caxton_next_word(&rest);
  if (caxton_eq(verb, "set")) {
    caxton_str payload = caxton_next_word(&rest);
    int64_t delay = caxton_parse_u64(first);
    if (delay < 0 || payload.ptr == NULL) return 5;
    if (caxton_state_set(caxton_s("asker"), msg->sender) != 0) return 3;
    return _answer(msg, caxton_set_timer(delay, payload));
  }
  if (caxton_eq(verb, "cancel")) {
    int64_t id = caxton_parse_u64(first);
    if (id < 0) return 5;
    return _answer(msg, caxton_cancel_timer(id));
  }
  return 5;
}
