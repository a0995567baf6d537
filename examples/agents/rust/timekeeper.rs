//! Timekeeper in Rust: durable timers from the Rust SDK (docs/TIMERS.md).
//! - "set <delayMs> <payload>": sets a timer, remembers the asker, replies
//!   `inform` with the timer's id (a JSON number, or the host's negative code);
//! - "cancel <id>": cancels it, replies `inform` with the host's code;
//! - a timer firing (from caxton, ontology caxton-timer): forwards the timer's
//!   content to the last asker.
use caxton::{Message, Out};

fn answer(msg: &Message, value: i64) -> i32 {
    match msg.reply("inform").content_json(&value.to_string()).send() {
        Ok(()) => 0,
        Err(_) => 4,
    }
}

/// 0 handled; 2 no sender, 3 state refused, 4 `send` refused, 5 bad command.
fn handle(msg: &Message) -> i32 {
    let sender = match msg.sender.as_deref() {
        Some(sender) => sender,
        None => return 2,
    };
    if sender == "caxton" && msg.ontology.as_deref() == Some("caxton-timer") {
        let asker = match caxton::state_get_str("asker") {
            Some(asker) => asker,
            None => return 0,
        };
        let content = msg.content_json.as_deref().unwrap_or("null");
        return match Out::new("inform", &asker).content_json(content).send() {
            Ok(()) => 0,
            Err(_) => 4,
        };
    }
    let text = msg.content.as_deref().unwrap_or("");
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        ["set", delay, payload] => {
            let delay: i64 = match delay.parse() {
                Ok(delay) => delay,
                Err(_) => return 5,
            };
            if caxton::state_set("asker", sender.as_bytes()) != 0 {
                return 3;
            }
            answer(msg, caxton::set_timer(delay, payload))
        }
        ["cancel", id] => match id.parse::<i64>() {
            Ok(id) => answer(msg, i64::from(caxton::cancel_timer(id))),
            Err(_) => 5,
        },
        _ => 5,
    }
}

caxton::agent!(handle = handle);
