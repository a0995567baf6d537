//! Counter in Rust: each message adds one to a u64 stored under "count" (8 bytes,
//! little-endian) and replies `inform` with the new count as a string.
use caxton::{Level, Message};

fn init() -> i32 {
    caxton::register_capability("counter")
}

fn handle(msg: &Message) -> i32 {
    if msg.sender.is_none() {
        return 2;
    }
    let count = match caxton::state_get("count") {
        None => 1,
        Some(bytes) if bytes.len() == 8 => {
            let mut le = [0u8; 8];
            le.copy_from_slice(&bytes);
            u64::from_le_bytes(le) + 1
        }
        Some(_) => return 5,
    };
    // reply first, store last: a refused reply fails the message without counting it
    if msg.reply("inform").content(&count.to_string()).send().is_err() {
        return 4;
    }
    caxton::log(Level::Info, &format!("count is now {}", count));
    if caxton::state_set("count", &count.to_le_bytes()) == 0 {
        0
    } else {
        6
    }
}

caxton::agent!(init = init, handle = handle);
