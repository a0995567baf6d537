//! The Caxton Agent ABI v1 (docs/ABI.md) for Rust: one crate, no dependencies,
//! built with Debian's `rustc` for `wasm32-unknown-unknown` (see README.md).
//!
//! An agent is a `cdylib` that names its handler (and optionally an init
//! function) with [`agent!`]; the macro defines every ABI export:
//!
//! ```ignore
//! use caxton::Message;
//!
//! fn init() -> i32 {
//!     caxton::register_capability("echo")
//! }
//!
//! fn handle(msg: &Message) -> i32 {
//!     match msg.reply("inform").content(msg.content.as_deref().unwrap_or("pong")).send() {
//!         Ok(()) => 0,
//!         Err(_) => 4,
//!     }
//! }
//!
//! caxton::agent!(init = init, handle = handle);
//! ```

mod host {
    #[link(wasm_import_module = "caxton")]
    extern "C" {
        pub fn send(ptr: *const u8, len: i32) -> i32;
        pub fn log(level: i32, ptr: *const u8, len: i32);
        pub fn state_get(key: *const u8, key_len: i32, val: *mut u8, val_cap: i32) -> i32;
        pub fn state_set(key: *const u8, key_len: i32, val: *const u8, val_len: i32) -> i32;
        pub fn state_delete(key: *const u8, key_len: i32) -> i32;
        pub fn now_ms() -> i64;
        pub fn register_capability(ptr: *const u8, len: i32) -> i32;
        pub fn set_timer(delay_ms: i64, ptr: *const u8, len: i32) -> i64;
        pub fn cancel_timer(id: i64) -> i32;
    }
}

// --- messages --------------------------------------------------------------------

/// One received ACL message; string fields are decoded, absent ones are `None`.
#[derive(Debug, Default, Clone)]
pub struct Message {
    pub performative: Option<String>,
    pub sender: Option<String>,
    /// The first receiver (the agent itself for a message sent to it alone).
    pub receiver: Option<String>,
    /// The content when it is a JSON string.
    pub content: Option<String>,
    /// The content as raw JSON text, whatever its type.
    pub content_json: Option<String>,
    pub language: Option<String>,
    pub encoding: Option<String>,
    pub ontology: Option<String>,
    pub protocol: Option<String>,
    pub conversation_id: Option<String>,
    pub reply_with: Option<String>,
    pub in_reply_to: Option<String>,
    pub reply_by: Option<String>,
}

impl Message {
    /// Parses one message (the JSON object Caxton delivers); `None` when malformed.
    pub fn parse(json: &str) -> Option<Message> {
        _parse(json.as_bytes())
    }

    /// Whether the performative is `performative`.
    pub fn is(&self, performative: &str) -> bool {
        self.performative.as_deref() == Some(performative)
    }

    /// A reply to this message: to its sender, with `inReplyTo` = its replyWith and the
    /// same conversationId and protocol. Add content, then `send()`.
    pub fn reply(&self, performative: &str) -> Out {
        let mut out = Out::new(performative, self.sender.as_deref().unwrap_or(""));
        out.conversation_id = self.conversation_id.clone();
        out.in_reply_to = self.reply_with.clone();
        out.protocol = self.protocol.clone();
        out
    }
}

/// One message to send, built with chained setters.
#[derive(Debug, Default, Clone)]
pub struct Out {
    pub performative: String,
    pub receiver: String,
    pub content: Option<String>,
    pub content_json: Option<String>,
    pub language: Option<String>,
    pub ontology: Option<String>,
    pub protocol: Option<String>,
    pub conversation_id: Option<String>,
    pub reply_with: Option<String>,
    pub in_reply_to: Option<String>,
    pub reply_by: Option<String>,
}

impl Out {
    pub fn new(performative: &str, receiver: &str) -> Out {
        Out { performative: performative.into(), receiver: receiver.into(), ..Out::default() }
    }
    /// Content sent as a JSON string.
    pub fn content(mut self, text: &str) -> Out {
        self.content = Some(text.into());
        self
    }
    /// Content sent as raw JSON (any JSON value).
    pub fn content_json(mut self, json: &str) -> Out {
        self.content_json = Some(json.into());
        self
    }
    pub fn conversation_id(mut self, id: &str) -> Out {
        self.conversation_id = Some(id.into());
        self
    }
    pub fn reply_with(mut self, id: &str) -> Out {
        self.reply_with = Some(id.into());
        self
    }
    pub fn in_reply_to(mut self, id: &str) -> Out {
        self.in_reply_to = Some(id.into());
        self
    }
    /// An ISO 8601 time; a reply not in by then earns the sender a `failure`.
    pub fn reply_by(mut self, time: &str) -> Out {
        self.reply_by = Some(time.into());
        self
    }
    pub fn protocol(mut self, name: &str) -> Out {
        self.protocol = Some(name.into());
        self
    }

    /// The message as JSON text.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(128);
        s.push_str("{\"performative\":");
        quote_into(&mut s, &self.performative);
        s.push_str(",\"receiver\":[");
        quote_into(&mut s, &self.receiver);
        s.push(']');
        if let Some(json) = &self.content_json {
            s.push_str(",\"content\":");
            s.push_str(json);
        } else {
            _field(&mut s, "content", &self.content);
        }
        _field(&mut s, "language", &self.language);
        _field(&mut s, "ontology", &self.ontology);
        _field(&mut s, "protocol", &self.protocol);
        _field(&mut s, "conversationId", &self.conversation_id);
        _field(&mut s, "replyWith", &self.reply_with);
        _field(&mut s, "inReplyTo", &self.in_reply_to);
        _field(&mut s, "replyBy", &self.reply_by);
        s.push('}');
        s
    }

    /// Sends the message; `Err(code)` with the host's code when refused (-1 invalid,
    /// -2 a receiver's mailbox is full: retry later, -3 too large, -4 send quota exhausted).
    pub fn send(&self) -> Result<(), i32> {
        send_json(&self.to_json())
    }
}

fn _field(s: &mut String, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        s.push_str(",\"");
        s.push_str(name);
        s.push_str("\":");
        quote_into(s, v);
    }
}

/// Appends `text` as a JSON string literal, quotes included.
pub fn quote_into(s: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                s.push_str("\\u00");
                s.push(HEX[(c as usize) >> 4] as char);
                s.push(HEX[(c as usize) & 15] as char);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

// --- host calls ---------------------------------------------------------------------

/// Sends one ACL message given as JSON text.
pub fn send_json(json: &str) -> Result<(), i32> {
    let code = unsafe { host::send(json.as_ptr(), json.len() as i32) };
    if code == 0 {
        Ok(())
    } else {
        Err(code)
    }
}

/// Log levels of [`log`].
#[derive(Debug, Clone, Copy)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

pub fn log(level: Level, text: &str) {
    unsafe { host::log(level as i32, text.as_ptr(), text.len() as i32) }
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    unsafe { host::now_ms() }
}

/// 0 registered; -1 invalid name. Call from the init function.
pub fn register_capability(name: &str) -> i32 {
    unsafe { host::register_capability(name.as_ptr(), name.len() as i32) }
}

/// Sets a durable timer (docs/TIMERS.md): in `delay_ms` the agent gets an
/// `inform` from `caxton` (ontology `caxton-timer`, conversation `timer:<id>`)
/// whose content carries `payload` (at most 4096 bytes). Set only if this
/// message is handled. The id (> 0), or -1 invalid, -3 payload too large,
/// -4 over 64 timer calls in one message, -5 refused (a pool member).
pub fn set_timer(delay_ms: i64, payload: &str) -> i64 {
    unsafe { host::set_timer(delay_ms, payload.as_ptr(), payload.len() as i32) }
}

/// 0 the cancellation is recorded (applies when the message is handled);
/// -1 not an id; -5 refused (a pool member).
pub fn cancel_timer(id: i64) -> i32 {
    unsafe { host::cancel_timer(id) }
}

/// The stored value of `key`, or `None` when absent.
pub fn state_get(key: &str) -> Option<Vec<u8>> {
    let mut value = Vec::with_capacity(256);
    let n = unsafe { host::state_get(key.as_ptr(), key.len() as i32, value.as_mut_ptr(), 256) };
    if n < 0 {
        return None;
    }
    let n = n as usize;
    if n > 256 {
        value.reserve_exact(n);
        unsafe { host::state_get(key.as_ptr(), key.len() as i32, value.as_mut_ptr(), n as i32) };
    }
    unsafe { value.set_len(n) };
    Some(value)
}

/// The stored value of `key` as text (`None` when absent or not UTF-8).
pub fn state_get_str(key: &str) -> Option<String> {
    state_get(key).and_then(|v| String::from_utf8(v).ok())
}

/// 0 stored; -3 key or value too large; -4 state quota full; -5 refused (a pool member).
pub fn state_set(key: &str, value: &[u8]) -> i32 {
    unsafe { host::state_set(key.as_ptr(), key.len() as i32, value.as_ptr(), value.len() as i32) }
}

/// 0 deleted; -1 it was absent.
pub fn state_delete(key: &str) -> i32 {
    unsafe { host::state_delete(key.as_ptr(), key.len() as i32) }
}

// --- the ABI exports, defined by `agent!` ---------------------------------------------

#[doc(hidden)]
pub fn _alloc(len: i32) -> *mut u8 {
    let layout = core::alloc::Layout::from_size_align(core::cmp::max(len, 1) as usize, 1);
    match layout {
        Ok(layout) => unsafe { std::alloc::alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

#[doc(hidden)]
pub fn _handle(ptr: *mut u8, len: i32, handler: fn(&Message) -> i32) -> i32 {
    let size = core::cmp::max(len, 1) as usize;
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len as usize) };
    let result = match _parse(bytes) {
        Some(msg) => handler(&msg),
        None => 1,
    };
    unsafe { std::alloc::dealloc(ptr, core::alloc::Layout::from_size_align_unchecked(size, 1)) };
    result
}

/// Defines the ABI v1 exports for an agent: `agent!(handle = f)` or
/// `agent!(init = i, handle = f)`, with `fn i() -> i32` (0 = ready) and
/// `fn f(&Message) -> i32` (0 = handled).
#[macro_export]
macro_rules! agent {
    (init = $init:path, handle = $handle:path) => {
        #[no_mangle]
        pub extern "C" fn caxton_init() -> i32 {
            $init()
        }
        $crate::agent!(handle = $handle);
    };
    (handle = $handle:path) => {
        #[no_mangle]
        pub extern "C" fn caxton_abi_v1() {}
        #[no_mangle]
        pub extern "C" fn caxton_alloc(len: i32) -> *mut u8 {
            $crate::_alloc(len)
        }
        #[no_mangle]
        pub extern "C" fn caxton_handle(ptr: *mut u8, len: i32) -> i32 {
            $crate::_handle(ptr, len, $handle)
        }
    };
}

// --- text helpers ----------------------------------------------------------------------

/// FNV-1a, 32 bits: the bidders' deterministic price function.
pub fn fnv1a32(hash: u32, bytes: &[u8]) -> u32 {
    let mut h = hash;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(16777619);
    }
    h
}

// --- JSON reading: the top level of one object --------------------------------------------

fn _ws(s: &[u8], mut p: usize) -> usize {
    while p < s.len() && matches!(s[p], b' ' | b'\t' | b'\n' | b'\r') {
        p += 1;
    }
    p
}

fn _skip_string(s: &[u8], mut p: usize) -> Option<usize> {
    p += 1;
    while p < s.len() {
        match s[p] {
            b'"' => return Some(p + 1),
            b'\\' => p += 2,
            _ => p += 1,
        }
    }
    None
}

fn _skip_value(s: &[u8], mut p: usize) -> Option<usize> {
    match s.get(p)? {
        b'"' => _skip_string(s, p),
        b'{' | b'[' => {
            let mut depth = 0i32;
            loop {
                let c = *s.get(p)?;
                if c == b'"' {
                    p = _skip_string(s, p)?;
                    continue;
                }
                if c == b'{' || c == b'[' {
                    depth += 1;
                } else if c == b'}' || c == b']' {
                    depth -= 1;
                }
                p += 1;
                if depth == 0 {
                    return Some(p);
                }
            }
        }
        _ => {
            let start = p;
            while p < s.len() && !matches!(s[p], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                p += 1;
            }
            if p > start {
                Some(p)
            } else {
                None
            }
        }
    }
}

fn _hex4(s: &[u8]) -> u32 {
    let mut v = 0u32;
    for c in &s[..4] {
        v = (v << 4)
            | match c {
                b'0'..=b'9' => (c - b'0') as u32,
                b'a'..=b'f' => (c - b'a' + 10) as u32,
                b'A'..=b'F' => (c - b'A' + 10) as u32,
                _ => 0,
            };
    }
    v
}

/// Decodes the body of a JSON string (between its quotes).
fn _decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut p = 0;
    while p < s.len() {
        if s[p] != b'\\' {
            out.push(s[p]);
            p += 1;
            continue;
        }
        let e = *s.get(p + 1)?;
        if e == b'u' && p + 6 <= s.len() {
            let mut c = _hex4(&s[p + 2..]);
            p += 6;
            if (0xd800..0xdc00).contains(&c) && s.get(p) == Some(&b'\\') && p + 6 <= s.len() {
                c = 0x10000 + ((c - 0xd800) << 10) + (_hex4(&s[p + 2..]).wrapping_sub(0xdc00));
                p += 6;
            }
            let ch = char::from_u32(c).unwrap_or('\u{fffd}');
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        out.push(match e {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 8,
            b'f' => 12,
            other => other,
        });
        p += 2;
    }
    String::from_utf8(out).ok()
}

fn _parse(s: &[u8]) -> Option<Message> {
    let mut msg = Message::default();
    let mut p = _ws(s, 0);
    if s.get(p) != Some(&b'{') {
        return None;
    }
    p = _ws(s, p + 1);
    if s.get(p) == Some(&b'}') {
        return Some(msg);
    }
    loop {
        if s.get(p) != Some(&b'"') {
            return None;
        }
        let key_end = _skip_string(s, p)?;
        let key = &s[p + 1..key_end - 1];
        p = _ws(s, key_end);
        if s.get(p) != Some(&b':') {
            return None;
        }
        let value = _ws(s, p + 1);
        p = _skip_value(s, value)?;
        let raw = &s[value..p];
        let slot = match key {
            b"performative" => Some(&mut msg.performative),
            b"sender" => Some(&mut msg.sender),
            b"receiver" => Some(&mut msg.receiver),
            b"content" => {
                msg.content_json = core::str::from_utf8(raw).ok().map(String::from);
                Some(&mut msg.content)
            }
            b"language" => Some(&mut msg.language),
            b"encoding" => Some(&mut msg.encoding),
            b"ontology" => Some(&mut msg.ontology),
            b"protocol" => Some(&mut msg.protocol),
            b"conversationId" => Some(&mut msg.conversation_id),
            b"replyWith" => Some(&mut msg.reply_with),
            b"inReplyTo" => Some(&mut msg.in_reply_to),
            b"replyBy" => Some(&mut msg.reply_by),
            _ => None,
        };
        if let Some(slot) = slot {
            // receiver may be an array: take its first string
            let first = if key == b"receiver" && raw[0] == b'[' { _ws(s, value + 1) } else { value };
            if first < p && s[first] == b'"' {
                let stop = _skip_string(s, first)?;
                *slot = Some(_decode(&s[first + 1..stop - 1])?);
            }
        }
        p = _ws(s, p);
        match s.get(p)? {
            b'}' => return Some(msg),
            b',' => p = _ws(s, p + 1),
            _ => return None,
        }
    }
}
