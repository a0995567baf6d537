// Contract Net bidder in AssemblyScript. On `cfp` with content <task> it prices
// the task at fnv1a32("<own name>:<task>") % 1000 and replies `refuse` "busy"
// when that is below 100, else `propose` "<price>". On `accept-proposal` it
// replies `inform` "done". Anything else is ignored.

import { fnv1a32, receive, registerCapability, replyTo } from "../../../sdk/assemblyscript/caxton";

export { caxton_abi_v1, caxton_alloc } from "../../../sdk/assemblyscript/caxton";

export function caxton_init(): i32 {
  return registerCapability("bidder");
}

export function caxton_handle(ptr: usize, len: i32): i32 {
  const msg = receive(ptr, len);
  if (msg == null) return 1;
  let sent = 0;
  if (msg.is("cfp")) {
    const name = msg.receiver != null ? msg.receiver! : "";
    const price = fnv1a32(2166136261, name + ":" + msg.text()) % 1000;
    sent = price < 100
      ? replyTo(msg, "refuse").content("busy").send()
      : replyTo(msg, "propose").content(price.toString()).send();
  } else if (msg.is("accept-proposal")) {
    sent = replyTo(msg, "inform").content("done").send();
  }
  return sent == 0 ? 0 : 4;
}
