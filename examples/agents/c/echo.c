/* Echo in C: replies `inform` to the sender with the string content (or "pong"),
 * threading inReplyTo and conversationId. Behaviour: examples/agents/README.md. */
#include "caxton.h"

int caxton_on_init(void) { return caxton_register_capability("echo"); }

int caxton_on_message(const caxton_msg *msg) {
  if (msg->sender.ptr == NULL) return 2;
  caxton_str content = msg->content.ptr ? msg->content : caxton_s("pong");
  return caxton_reply(msg, "inform", content) == 0 ? 0 : 4;
}
