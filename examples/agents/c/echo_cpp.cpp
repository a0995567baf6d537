// Echo in C++ over the C SDK (caxton.h is C and C++): the same behaviour as echo.c.
// Built freestanding (no C++ standard library: Debian ships none for wasm32 by
// default, and an agent rarely needs one); a static constructor shows the SDK
// runs constructors once, before caxton_init.
#include "caxton.h"

namespace {

struct Greeting {
  caxton_str fallback;
  Greeting() : fallback(caxton_s("pong")) {}
};

Greeting greeting;

}  // namespace

extern "C" int caxton_on_init(void) { return caxton_register_capability("echo"); }

extern "C" int caxton_on_message(const caxton_msg *msg) {
  if (msg->sender.ptr == nullptr) return 2;
  caxton_str content = msg->content.ptr ? msg->content : greeting.fallback;
  return caxton_reply(msg, "inform", content) == 0 ? 0 : 4;
}
