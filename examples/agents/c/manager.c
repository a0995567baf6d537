/* Contract Net manager in C. On `request` "<task> <deadline> <bidder>..." (with a
 * conversationId) it sends each bidder a `cfp` <task> (replyBy <deadline>
 * unless "-"), collects `propose` / `refuse` / `failure` until every bidder has
 * answered, accepts the lowest price (ties: the smaller name), rejects the
 * other proposals and informs the requester "<winner> <price>" (or "none").
 * A round lives in state under "cnp:<conversationId>":
 *   <requester>\n<replyWith>\n<task>\n<pending bidders>\n<name:price proposals> */
#include <string.h>

#include "caxton.h"

int caxton_on_init(void) { return caxton_register_capability("cnp-manager"); }

static caxton_str _line(caxton_str *rest) {
  caxton_str line = *rest;
  size_t i = 0;
  while (i < rest->len && rest->ptr[i] != '\n') i++;
  line.len = i;
  rest->ptr += i < rest->len ? i + 1 : i;
  rest->len -= i < rest->len ? i + 1 : i;
  return line;
}

static int _same(caxton_str a, caxton_str b) {
  return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static caxton_str _key(caxton_str conversation) {
  caxton_buf key = {0};
  caxton_buf_adds(&key, "cnp:");
  caxton_buf_add(&key, conversation);
  return caxton_buf_str(&key);
}

static int _start(const caxton_msg *msg) {
  caxton_str rest = msg->content;
  caxton_str task = caxton_next_word(&rest);
  caxton_str deadline = caxton_next_word(&rest);
  if (msg->conversation_id.ptr == NULL || task.ptr == NULL || deadline.ptr == NULL ||
      rest.len == 0) {
    return caxton_reply(msg, "refuse",
                        caxton_s("expected: <task> <deadline|-> <bidder>... and a conversationId"));
  }
  caxton_buf round = {0};
  caxton_buf_add(&round, msg->sender);
  caxton_buf_adds(&round, "\n");
  caxton_buf_add(&round, msg->reply_with);
  caxton_buf_adds(&round, "\n");
  caxton_buf_add(&round, task);
  caxton_buf_adds(&round, "\n");
  int first = 1;
  for (caxton_str bidder = caxton_next_word(&rest); bidder.ptr; bidder = caxton_next_word(&rest)) {
    caxton_out cfp = {0};
    cfp.performative = "cfp";
    cfp.receiver = bidder;
    cfp.content = task;
    cfp.conversation_id = msg->conversation_id;
    cfp.reply_with = bidder;
    if (!caxton_eq(deadline, "-")) cfp.reply_by = deadline;
    if (caxton_send(&cfp) != 0) return 4;
    if (!first) caxton_buf_adds(&round, " ");
    caxton_buf_add(&round, bidder);
    first = 0;
  }
  caxton_buf_adds(&round, "\n");
  return caxton_state_set(_key(msg->conversation_id), caxton_buf_str(&round)) == 0 ? 0 : 6;
}

static int _answer(const caxton_msg *msg) {
  if (msg->conversation_id.ptr == NULL) return 0;
  caxton_str key = _key(msg->conversation_id);
  caxton_str rest = caxton_state_get(key);
  if (rest.ptr == NULL) return 0; /* no such round (or already decided): ignore */
  caxton_str requester = _line(&rest), reply_with = _line(&rest), task = _line(&rest);
  caxton_str pending = _line(&rest), proposals = _line(&rest);
  /* count the answer only from a bidder still pending: a late or repeated one is ignored */
  caxton_buf still = {0};
  int found = 0;
  for (caxton_str b = caxton_next_word(&pending); b.ptr; b = caxton_next_word(&pending)) {
    if (!found && _same(b, msg->sender)) {
      found = 1;
      continue;
    }
    if (still.len) caxton_buf_adds(&still, " ");
    caxton_buf_add(&still, b);
  }
  if (!found) return 0;
  caxton_buf offers = {0};
  caxton_buf_add(&offers, proposals);
  int64_t price = caxton_parse_u64(msg->content);
  if (caxton_eq(msg->performative, "propose") && price >= 0) {
    if (offers.len) caxton_buf_adds(&offers, " ");
    caxton_buf_add(&offers, msg->sender);
    caxton_buf_adds(&offers, ":");
    caxton_buf_add(&offers, msg->content);
  }
  if (still.len > 0) {
    caxton_buf round = {0};
    caxton_buf_add(&round, requester);
    caxton_buf_adds(&round, "\n");
    caxton_buf_add(&round, reply_with);
    caxton_buf_adds(&round, "\n");
    caxton_buf_add(&round, task);
    caxton_buf_adds(&round, "\n");
    caxton_buf_add(&round, caxton_buf_str(&still));
    caxton_buf_adds(&round, "\n");
    caxton_buf_add(&round, caxton_buf_str(&offers));
    return caxton_state_set(key, caxton_buf_str(&round)) == 0 ? 0 : 6;
  }
  /* every bidder has answered: pick the lowest price, ties to the smaller name */
  caxton_str best = {0}, best_price = {0};
  int64_t best_value = -1;
  caxton_str all = caxton_buf_str(&offers);
  for (caxton_str o = caxton_next_word(&all); o.ptr; o = caxton_next_word(&all)) {
    size_t colon = o.len;
    while (colon > 0 && o.ptr[colon - 1] != ':') colon--;
    caxton_str name = {o.ptr, colon - 1}, value = {o.ptr + colon, o.len - colon};
    int64_t v = caxton_parse_u64(value);
    int smaller = best.ptr && name.len < best.len ? 1 : 0;
    size_t common = best.ptr && name.len < best.len ? name.len : best.len;
    int cmp = best.ptr ? memcmp(name.ptr, best.ptr, common) : 0;
    if (best_value < 0 || v < best_value ||
        (v == best_value && (cmp < 0 || (cmp == 0 && smaller)))) {
      best = name;
      best_price = value;
      best_value = v;
    }
  }
  all = caxton_buf_str(&offers);
  for (caxton_str o = caxton_next_word(&all); o.ptr; o = caxton_next_word(&all)) {
    size_t colon = o.len;
    while (colon > 0 && o.ptr[colon - 1] != ':') colon--;
    caxton_str name = {o.ptr, colon - 1};
    caxton_out decision = {0};
    decision.performative = _same(name, best) ? "accept-proposal" : "reject-proposal";
    decision.receiver = name;
    decision.content = task;
    decision.conversation_id = msg->conversation_id;
    if (caxton_send(&decision) != 0) return 4;
  }
  caxton_msg original = {0};
  original.sender = requester;
  if (reply_with.len) original.reply_with = reply_with;
  original.conversation_id = msg->conversation_id;
  caxton_buf result = {0};
  if (best.ptr) {
    caxton_buf_add(&result, best);
    caxton_buf_adds(&result, " ");
    caxton_buf_add(&result, best_price);
  } else {
    caxton_buf_adds(&result, "none");
  }
  if (caxton_reply(&original, "inform", caxton_buf_str(&result)) != 0) return 4;
  caxton_state_delete(key);
  return 0;
}

int caxton_on_message(const caxton_msg *msg) {
  if (caxton_eq(msg->performative, "request")) return _start(msg);
  if (caxton_eq(msg->performative, "propose") || caxton_eq(msg->performative, "refuse") ||
      caxton_eq(msg->performative, "failure")) {
    return _answer(msg);
  }
  return 0; /* e.g. the winner's inform "done" */
}
