//! Contract Net bidder in Rust. On `cfp` with content <task> it prices the task at
//! fnv1a32("<own name>:<task>") % 1000 and replies `refuse` "busy" when that is
//! below 100, else `propose` "<price>". On `accept-proposal` it replies `inform`
//! "done". Anything else is ignored.
use caxton::Message;

fn init() -> i32 {
    caxton::register_capability("bidder")
}

fn handle(msg: &Message) -> i32 {
    let sent = if msg.is("cfp") {
        let name = msg.receiver.as_deref().unwrap_or("");
        let task = msg.content.as_deref().unwrap_or("");
        let hash = caxton::fnv1a32(caxton::fnv1a32(caxton::fnv1a32(2166136261, name.as_bytes()), b":"), task.as_bytes());
        let price = hash % 1000;
        if price < 100 {
            msg.reply("refuse").content("busy").send()
        } else {
            msg.reply("propose").content(&price.to_string()).send()
        }
    } else if msg.is("accept-proposal") {
        msg.reply("inform").content("done").send()
    } else {
        Ok(())
    };
    if sent.is_ok() {
        0
    } else {
        4
    }
}

caxton::agent!(init = init, handle = handle);
