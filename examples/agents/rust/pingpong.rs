//! Ping-pong in Rust: answers "ping" with "pong"; on "start <peer> <n>" plays n
//! rounds against <peer> and then informs the requester "done <n>". The game
//! lives in state under "pingpong":
//! `<requester>\n<replyWith>\n<conversationId>\n<peer>\n<n>\n<done>`.
use caxton::{Message, Out};

fn init() -> i32 {
    caxton::register_capability("pingpong")
}

fn ping(peer: &str, conversation: &str) -> Result<(), i32> {
    let mut out = Out::new("request", peer).content("ping").reply_with("ping");
    if !conversation.is_empty() {
        out = out.conversation_id(conversation);
    }
    out.send()
}

fn code(result: Result<(), i32>) -> i32 {
    if result.is_ok() {
        0
    } else {
        4
    }
}

fn handle(msg: &Message) -> i32 {
    let content = msg.content.as_deref().unwrap_or("");
    if msg.is("request") && content == "ping" {
        return code(msg.reply("inform").content("pong").send());
    }
    if msg.is("request") && content.starts_with("start ") {
        let words: Vec<&str> = content.split(' ').filter(|w| !w.is_empty()).collect();
        let n = words.get(2).and_then(|w| w.parse::<u64>().ok()).unwrap_or(0);
        if words.len() < 3 || n < 1 {
            return code(msg.reply("refuse").content("expected: start <peer> <n>").send());
        }
        let conversation = msg.conversation_id.as_deref().unwrap_or("");
        if ping(words[1], conversation).is_err() {
            return 4;
        }
        let game = format!(
            "{}\n{}\n{}\n{}\n{}\n0",
            msg.sender.as_deref().unwrap_or(""),
            msg.reply_with.as_deref().unwrap_or(""),
            conversation,
            words[1],
            n
        );
        return if caxton::state_set("pingpong", game.as_bytes()) == 0 { 0 } else { 6 };
    }
    if msg.is("inform") && content == "pong" {
        let game = match caxton::state_get_str("pingpong") {
            Some(game) => game,
            None => return 0, // no game: a stray pong
        };
        let lines: Vec<&str> = game.split('\n').collect();
        if lines.len() < 6 {
            return 5;
        }
        let n: u64 = lines[4].parse().unwrap_or(0);
        let done: u64 = lines[5].parse::<u64>().unwrap_or(0) + 1;
        if done < n {
            if ping(lines[3], lines[2]).is_err() {
                return 4;
            }
            let next = format!("{}\n{}\n{}\n{}\n{}\n{}", lines[0], lines[1], lines[2], lines[3], n, done);
            return if caxton::state_set("pingpong", next.as_bytes()) == 0 { 0 } else { 6 };
        }
        let mut out = Out::new("inform", lines[0]).content(&format!("done {}", n));
        if !lines[1].is_empty() {
            out = out.in_reply_to(lines[1]);
        }
        if !lines[2].is_empty() {
            out = out.conversation_id(lines[2]);
        }
        if out.send().is_err() {
            return 4;
        }
        caxton::state_delete("pingpong");
        return 0;
    }
    if msg.is("request") {
        return code(msg.reply("not-understood").content("expected: ping | start <peer> <n>").send());
    }
    0
}

caxton::agent!(init = init, handle = handle);
