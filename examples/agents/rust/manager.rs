//! Contract Net manager in Rust. On `request` "<task> <deadline> <bidder>..." (with a
//! conversationId) it sends each bidder a `cfp` <task> (replyBy <deadline> unless
//! "-"), collects `propose` / `refuse` / `failure` until every bidder has answered,
//! accepts the lowest price (ties: the smaller name), rejects the other proposals
//! and informs the requester "<winner> <price>" (or "none"). A round lives in state
//! under "cnp:<conversationId>":
//! `<requester>\n<replyWith>\n<task>\n<pending bidders>\n<name:price proposals>`.
use caxton::{Message, Out};

fn init() -> i32 {
    caxton::register_capability("cnp-manager")
}

fn start(msg: &Message, conversation: &str) -> Result<i32, i32> {
    let content = msg.content.as_deref().unwrap_or("");
    let words: Vec<&str> = content.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 3 {
        msg.reply("refuse")
            .content("expected: <task> <deadline|-> <bidder>... and a conversationId")
            .send()?;
        return Ok(0);
    }
    let (task, deadline, bidders) = (words[0], words[1], &words[2..]);
    for bidder in bidders {
        let mut cfp = Out::new("cfp", bidder).content(task).conversation_id(conversation).reply_with(bidder);
        if deadline != "-" {
            cfp = cfp.reply_by(deadline);
        }
        cfp.send()?;
    }
    let round = format!(
        "{}\n{}\n{}\n{}\n",
        msg.sender.as_deref().unwrap_or(""),
        msg.reply_with.as_deref().unwrap_or(""),
        task,
        bidders.join(" ")
    );
    Ok(if caxton::state_set(&format!("cnp:{}", conversation), round.as_bytes()) == 0 { 0 } else { 6 })
}

fn answer(msg: &Message, conversation: &str) -> Result<i32, i32> {
    let key = format!("cnp:{}", conversation);
    let round = match caxton::state_get_str(&key) {
        Some(round) => round,
        None => return Ok(0), // no such round (or already decided): ignore
    };
    let lines: Vec<&str> = round.split('\n').collect();
    if lines.len() < 5 {
        return Ok(5);
    }
    let (requester, reply_with, task) = (lines[0], lines[1], lines[2]);
    let sender = msg.sender.as_deref().unwrap_or("");
    let mut pending: Vec<&str> = lines[3].split(' ').filter(|w| !w.is_empty()).collect();
    // count the answer only from a bidder still pending: a late or repeated one is ignored
    match pending.iter().position(|b| *b == sender) {
        Some(i) => pending.remove(i),
        None => return Ok(0),
    };
    let mut offers: Vec<(String, u64)> = lines[4]
        .split(' ')
        .filter_map(|o| o.rsplit_once(':'))
        .filter_map(|(n, p)| p.parse().ok().map(|p| (String::from(n), p)))
        .collect();
    if msg.is("propose") {
        if let Some(price) = msg.content.as_deref().and_then(|c| c.parse::<u64>().ok()) {
            offers.push((String::from(sender), price));
        }
    }
    let list: Vec<String> = offers.iter().map(|(n, p)| format!("{}:{}", n, p)).collect();
    if !pending.is_empty() {
        let next = format!("{}\n{}\n{}\n{}\n{}", requester, reply_with, task, pending.join(" "), list.join(" "));
        return Ok(if caxton::state_set(&key, next.as_bytes()) == 0 { 0 } else { 6 });
    }
    // every bidder has answered: the lowest price wins, ties to the smaller name
    let best = offers.iter().min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0))).cloned();
    for (name, _) in &offers {
        let won = best.as_ref().map(|b| &b.0 == name).unwrap_or(false);
        let performative = if won { "accept-proposal" } else { "reject-proposal" };
        Out::new(performative, name).content(task).conversation_id(conversation).send()?;
    }
    let result = match &best {
        Some((name, price)) => format!("{} {}", name, price),
        None => String::from("none"),
    };
    let mut out = Out::new("inform", requester).content(&result).conversation_id(conversation);
    if !reply_with.is_empty() {
        out = out.in_reply_to(reply_with);
    }
    out.send()?;
    caxton::state_delete(&key);
    Ok(0)
}

fn handle(msg: &Message) -> i32 {
    let conversation = match msg.conversation_id.as_deref() {
        Some(c) => c,
        None if msg.is("request") => {
            let refused = msg
                .reply("refuse")
                .content("expected: <task> <deadline|-> <bidder>... and a conversationId")
                .send();
            return if refused.is_ok() { 0 } else { 4 };
        }
        None => return 0,
    };
    let result = if msg.is("request") {
        start(msg, conversation)
    } else if msg.is("propose") || msg.is("refuse") || msg.is("failure") {
        answer(msg, conversation)
    } else {
        Ok(0) // e.g. the winner's inform "done"
    };
    result.unwrap_or(4)
}

caxton::agent!(init = init, handle = handle);
