/* Counter in C: each message adds one to a u64 stored under "count" (8 bytes,
 * little-endian) and replies `inform` with the new count as a string. */
#include <string.h>

#include "caxton.h"

int caxton_on_init(void) { return caxton_register_capability("counter"); }

int caxton_on_message(const caxton_msg *msg) {
  if (msg->sender.ptr == NULL) return 2;
  caxton_str stored = caxton_state_get(caxton_s("count"));
  if (stored.ptr != NULL && stored.len != 8) return 5;
  uint64_t count = 0;
  if (stored.ptr != NULL) memcpy(&count, stored.ptr, 8); /* wasm is little-endian */
  count += 1;
  caxton_buf text = {0};
  caxton_buf_u64(&text, count);
  /* reply first, store last: a refused reply fails the message without counting it */
  if (caxton_reply(msg, "inform", caxton_buf_str(&text)) != 0) return 4;
  caxton_buf line = {0};
  caxton_buf_adds(&line, "count is now ");
  caxton_buf_add(&line, caxton_buf_str(&text));
  caxton_log(CAXTON_INFO, caxton_buf_str(&line));
  caxton_str value = {(const char *)&count, 8};
  return caxton_state_set(caxton_s("count"), value) == 0 ? 0 : 6;
}
