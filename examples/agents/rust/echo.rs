//! Echo in Rust: replies `inform` to the sender with the string content (or "pong"),
//! threading inReplyTo and conversationId. Behaviour: examples/agents/README.md.
use caxton::Message;

fn init() -> i32 {
    caxton::register_capability("echo")
}

fn handle(msg: &Message) -> i32 {
    if msg.sender.is_none() {
        return 2;
    }
    let content = msg.content.as_deref().unwrap_or("pong");
    match msg.reply("inform").content(content).send() {
        Ok(()) => 0,
        Err(_) => 4,
    }
}

caxton::agent!(init = init, handle = handle);
