/* Contract Net bidder in C. On `cfp` with content <task> it prices the task at
 * fnv1a32("<own name>:<task>") % 1000 and replies `refuse` "busy" when that is
 * below 100, else `propose` "<price>". On `accept-proposal` it replies `inform`
 * "done". Anything else is ignored. */
#include "caxton.h"

int caxton_on_init(void) { return caxton_register_capability("bidder"); }

static uint32_t _fnv1a(uint32_t hash, caxton_str bytes) {
  for (size_t i = 0; i < bytes.len; i++) {
    hash ^= (uint8_t)bytes.ptr[i];
    hash *= 16777619u;
  }
  return hash;
}

int caxton_on_message(const caxton_msg *msg) {
  if (caxton_eq(msg->performative, "cfp")) {
    uint32_t hash = _fnv1a(2166136261u, msg->receiver);
    hash = _fnv1a(hash, caxton_s(":"));
    hash = _fnv1a(hash, msg->content);
    uint32_t price = hash % 1000;
    if (price < 100) return caxton_reply(msg, "refuse", caxton_s("busy")) == 0 ? 0 : 4;
    caxton_buf text = {0};
    caxton_buf_u64(&text, price);
    return caxton_reply(msg, "propose", caxton_buf_str(&text)) == 0 ? 0 : 4;
  }
  if (caxton_eq(msg->performative, "accept-proposal")) {
    return caxton_reply(msg, "inform", caxton_s("done")) == 0 ? 0 : 4;
  }
  return 0;
}
