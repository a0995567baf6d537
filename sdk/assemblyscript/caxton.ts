// deno-fmt-ignore-file -- `deno fmt` parses this as TypeScript, where a decorator on a
// function is not allowed, and silently drops AssemblyScript's `@external`.

// The Caxton Agent ABI v1 (docs/ABI.md) for AssemblyScript: host imports, the
// `caxton_abi_v1` / `caxton_alloc` exports, a small JSON reader for the top
// level of a message, a message builder with reply helpers, and state, log
// and capability calls. See README.md beside this file.
//
// An agent re-exports the ABI exports and defines `caxton_handle`:
//
//   export { caxton_abi_v1, caxton_alloc } from "<path>/sdk/assemblyscript/caxton";
//   export function caxton_handle(ptr: usize, len: i32): i32 {
//     const msg = receive(ptr, len);
//     if (msg == null) return 1;
//     return send(reply(msg, "inform", quote("hi"))) == 0 ? 0 : 4;
//   }
//
// Built with `--runtime minimal`: nothing collects garbage on its own, so
// `receive` collects at the start of every message (see there).

// --- host imports (module "caxton") -----------------------------------------

@external("caxton", "send")
declare function _send(ptr: usize, len: i32): i32;

@external("caxton", "log")
declare function _log(level: i32, ptr: usize, len: i32): void;

@external("caxton", "state_get")
declare function _stateGet(keyPtr: usize, keyLen: i32, valPtr: usize, valCap: i32): i32;

@external("caxton", "state_set")
declare function _stateSet(keyPtr: usize, keyLen: i32, valPtr: usize, valLen: i32): i32;

@external("caxton", "state_delete")
declare function _stateDelete(keyPtr: usize, keyLen: i32): i32;

@external("caxton", "now_ms")
declare function _nowMs(): i64;

@external("caxton", "register_capability")
declare function _registerCapability(ptr: usize, len: i32): i32;

// Durable timers (docs/TIMERS.md); imported only by agents that call them.
@external("caxton", "set_timer")
declare function _setTimer(delayMs: i64, ptr: usize, len: i32): i64;

@external("caxton", "cancel_timer")
declare function _cancelTimer(id: i64): i32;

// --- ABI exports --------------------------------------------------------------

/** Marks the module as ABI v1; Caxton never calls it. */
export function caxton_abi_v1(): void {}

/**
 * Room for one inbound message. It comes from the allocator directly, not the
 * GC, so a collection between `caxton_alloc` and `caxton_handle` cannot take
 * it; `receive` frees it. Running out of memory traps here (TLSF aborts and
 * abort is `unreachable`), which fails the delivery just as returning 0 would.
 */
export function caxton_alloc(len: i32): usize {
  return heap.alloc(<usize> len);
}

// --- messages -------------------------------------------------------------------

/** One received message; a string field is null when absent or not a string. */
export class Message {
  performative: string | null = null;
  sender: string | null = null;
  /** The first receiver (the agent itself for a message sent to it alone). */
  receiver: string | null = null;
  /** The content when it is a JSON string. */
  content: string | null = null;
  /** The content as raw JSON text, whatever its type. */
  contentJson: string | null = null;
  language: string | null = null;
  encoding: string | null = null;
  ontology: string | null = null;
  protocol: string | null = null;
  conversationId: string | null = null;
  replyWith: string | null = null;
  inReplyTo: string | null = null;
  replyBy: string | null = null;

  /** Whether the performative is `performative`. */
  is(performative: string): bool {
    const own = this.performative;
    return own != null && own == performative;
  }

  /** The content, or "" when absent or not a string. */
  text(): string {
    const own = this.content;
    return own != null ? own : "";
  }
}

/** One message to send, built with chained setters; null fields are left out. */
export class Out {
  performative: string;
  receiver: string;
  contentText: string | null = null;
  contentRaw: string | null = null;
  conversation: string | null = null;
  replyWithId: string | null = null;
  inReplyToId: string | null = null;
  replyByTime: string | null = null;
  protocolName: string | null = null;

  constructor(performative: string, receiver: string) {
    this.performative = performative;
    this.receiver = receiver;
  }

  /** Content sent as a JSON string. */
  content(text: string): Out {
    this.contentText = text;
    return this;
  }
  /** Content sent as raw JSON (any JSON value). */
  contentJson(json: string): Out {
    this.contentRaw = json;
    return this;
  }
  conversationId(id: string | null): Out {
    this.conversation = id;
    return this;
  }
  replyWith(id: string | null): Out {
    this.replyWithId = id;
    return this;
  }
  inReplyTo(id: string | null): Out {
    this.inReplyToId = id;
    return this;
  }
  /** An ISO 8601 time; a reply not in by then earns the sender a `failure`. */
  replyBy(time: string | null): Out {
    this.replyByTime = time;
    return this;
  }
  protocol(name: string | null): Out {
    this.protocolName = name;
    return this;
  }

  toJson(): string {
    const parts = new Array<string>();
    parts.push('{"performative":');
    parts.push(quote(this.performative));
    parts.push(',"receiver":[');
    parts.push(quote(this.receiver));
    parts.push("]");
    const raw = this.contentRaw;
    if (raw != null) {
      parts.push(',"content":');
      parts.push(raw);
    } else {
      _field(parts, "content", this.contentText);
    }
    _field(parts, "protocol", this.protocolName);
    _field(parts, "conversationId", this.conversation);
    _field(parts, "replyWith", this.replyWithId);
    _field(parts, "inReplyTo", this.inReplyToId);
    _field(parts, "replyBy", this.replyByTime);
    parts.push("}");
    return parts.join("");
  }

  /**
   * Sends the message; returns the host's code: 0 accepted, -1 invalid, -2 a
   * receiver's mailbox is full (retry later), -3 too large, -4 send quota exhausted.
   */
  send(): i32 {
    return send(this.toJson());
  }
}

function _field(parts: Array<string>, name: string, value: string | null): void {
  if (value == null) return;
  parts.push(',"');
  parts.push(name);
  parts.push('":');
  parts.push(quote(value));
}

/** A reply to `msg`: to its sender, threading `inReplyTo`, `conversationId` and `protocol`. */
export function replyTo(msg: Message, performative: string): Out {
  const sender = msg.sender;
  return new Out(performative, sender != null ? sender : "")
    .conversationId(msg.conversationId)
    .inReplyTo(msg.replyWith)
    .protocol(msg.protocol);
}

/** Parses a decimal unsigned integer; -1 when `text` is not one. */
export function parseU64(text: string): i64 {
  if (text.length == 0 || text.length > 18) return -1;
  let value: i64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** The words of `text` split on spaces, empty ones dropped. */
export function words(text: string): Array<string> {
  const out = new Array<string>();
  const all = text.split(" ");
  for (let i = 0; i < all.length; i++) {
    if (all[i].length > 0) out.push(all[i]);
  }
  return out;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`: the bidders' price function. */
export function fnv1a32(hash: u32, text: string): u32 {
  const bytes = String.UTF8.encode(text);
  const base = changetype<usize>(bytes);
  for (let i = 0; i < bytes.byteLength; i++) {
    hash ^= load<u8>(base + <usize> i);
    hash *= 16777619;
  }
  return hash;
}

/**
 * Takes one delivered message: decodes and frees the buffer Caxton filled and
 * reads the top-level fields. Returns null when the JSON is malformed.
 *
 * Collects garbage first: at the very start of a message no managed reference
 * lives on the wasm stack (only in globals, which are roots), which is the one
 * moment the minimal runtime's collector is safe to run from inside.
 */
export function receive(ptr: usize, len: i32): Message | null {
  __collect();
  const json = String.UTF8.decodeUnsafe(ptr, <usize> len);
  heap.free(ptr);
  return _parseMessage(json);
}

/** Builds a reply to `msg`: to its sender, threading `inReplyTo` and `conversationId`. */
export function reply(msg: Message, performative: string, contentJson: string): string {
  const parts = new Array<string>();
  parts.push('{"performative":');
  parts.push(quote(performative));
  parts.push(',"receiver":');
  parts.push(quote(msg.sender != null ? msg.sender! : ""));
  parts.push(',"content":');
  parts.push(contentJson);
  if (msg.replyWith != null) {
    parts.push(',"inReplyTo":');
    parts.push(quote(msg.replyWith!));
  }
  if (msg.conversationId != null) {
    parts.push(',"conversationId":');
    parts.push(quote(msg.conversationId!));
  }
  parts.push("}");
  return parts.join("");
}

/** `s` as a JSON string literal, quotes included. */
export function quote(s: string): string {
  const parts = new Array<string>();
  parts.push('"');
  let run = 0; // start of the pending stretch that needs no escaping
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | null = null;
    if (c == 0x22) escaped = '\\"';
    else if (c == 0x5c) escaped = "\\\\";
    else if (c == 0x0a) escaped = "\\n";
    else if (c == 0x0d) escaped = "\\r";
    else if (c == 0x09) escaped = "\\t";
    else if (c < 0x20) escaped = "\\u00" + _hex2(c);
    if (escaped != null) {
      parts.push(s.substring(run, i));
      parts.push(escaped);
      run = i + 1;
    }
  }
  parts.push(s.substring(run));
  parts.push('"');
  return parts.join("");
}

// --- host calls -------------------------------------------------------------------

/** Sends one ACL message (JSON text); returns the host's code (0 accepted). */
export function send(json: string): i32 {
  const bytes = String.UTF8.encode(json);
  return _send(changetype<usize>(bytes), bytes.byteLength);
}

/** Log levels of `log`. */
export const TRACE: i32 = 0;
export const DEBUG: i32 = 1;
export const INFO: i32 = 2;
export const WARN: i32 = 3;
export const ERROR: i32 = 4;

export function log(level: i32, text: string): void {
  const bytes = String.UTF8.encode(text);
  _log(level, changetype<usize>(bytes), bytes.byteLength);
}

/**
 * Declares a capability: a name, or JSON text of `{"name","description","example"}`
 * saying what content the agent expects (shown to MCP clients; docs/ABI.md).
 */
export function registerCapability(name: string): i32 {
  const bytes = String.UTF8.encode(name);
  return _registerCapability(changetype<usize>(bytes), bytes.byteLength);
}

/**
 * Sets a durable timer: in `delayMs` the agent receives an `inform` from
 * `caxton` (ontology `caxton-timer`, conversation `timer:<id>`) whose content
 * carries `payload`. Committed with the message being handled: if it fails,
 * no timer is set. Returns the timer's id (> 0), or -1 invalid, -3 payload
 * over 4096 bytes, -4 over 64 timers in one message.
 */
export function setTimer(delayMs: i64, payload: string): i64 {
  const bytes = String.UTF8.encode(payload);
  return _setTimer(delayMs, changetype<usize>(bytes), bytes.byteLength);
}

/** Cancels timer `id` when the message commits; 0 recorded, -1 not an id. */
export function cancelTimer(id: i64): i32 {
  return _cancelTimer(id);
}

export function nowMs(): i64 {
  return _nowMs();
}

/** The stored value of `key` as UTF-8 text, or null when absent. */
export function stateGetString(key: string): string | null {
  const value = stateGet(key);
  return value != null ? String.UTF8.decode(value) : null;
}

/** Stores `value` (UTF-8) under `key`; returns the host's code (0 stored). */
export function stateSetString(key: string, value: string): i32 {
  return stateSet(key, String.UTF8.encode(value));
}

/** The stored value of `key`, or null when absent. */
export function stateGet(key: string): ArrayBuffer | null {
  const k = String.UTF8.encode(key);
  let value = new ArrayBuffer(64);
  let n = _stateGet(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength);
  if (n < 0) return null;
  if (n > value.byteLength) {
    // the host reported the full length; ask again with room for all of it
    value = new ArrayBuffer(n);
    n = _stateGet(changetype<usize>(k), k.byteLength, changetype<usize>(value), n);
  }
  return n == value.byteLength ? value : value.slice(0, n);
}

/** Stores `value` under `key`; returns the host's code (0 stored). */
export function stateSet(key: string, value: ArrayBuffer): i32 {
  const k = String.UTF8.encode(key);
  return _stateSet(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength);
}

/** Deletes `key`; returns 0 when deleted, -1 when it was absent. */
export function stateDelete(key: string): i32 {
  const k = String.UTF8.encode(key);
  return _stateDelete(changetype<usize>(k), k.byteLength);
}

// --- JSON scanning ------------------------------------------------------------------

function _parseMessage(json: string): Message | null {
  const msg = new Message();
  let p = _skipWs(json, 0);
  if (p >= json.length || json.charCodeAt(p) != 0x7b) return null;
  p = _skipWs(json, p + 1);
  if (p < json.length && json.charCodeAt(p) == 0x7d) return msg;
  while (true) {
    if (p >= json.length || json.charCodeAt(p) != 0x22) return null;
    const keyEnd = _skipString(json, p);
    if (keyEnd < 0) return null;
    const key = _unescape(json, p + 1, keyEnd - 1);
    p = _skipWs(json, keyEnd);
    if (p >= json.length || json.charCodeAt(p) != 0x3a) return null;
    const value = _skipWs(json, p + 1);
    p = _skipValue(json, value);
    if (p < 0) return null;
    if (key == "content") msg.contentJson = json.substring(value, p);
    let first = value; // receiver may be an array: take its first string
    if (key == "receiver" && json.charCodeAt(value) == 0x5b) first = _skipWs(json, value + 1);
    if (first < p && json.charCodeAt(first) == 0x22) {
      const stop = _skipString(json, first);
      if (stop < 0) return null;
      const text = _unescape(json, first + 1, stop - 1);
      if (key == "performative") msg.performative = text;
      else if (key == "sender") msg.sender = text;
      else if (key == "receiver") msg.receiver = text;
      else if (key == "content") msg.content = text;
      else if (key == "language") msg.language = text;
      else if (key == "encoding") msg.encoding = text;
      else if (key == "ontology") msg.ontology = text;
      else if (key == "protocol") msg.protocol = text;
      else if (key == "conversationId") msg.conversationId = text;
      else if (key == "replyWith") msg.replyWith = text;
      else if (key == "inReplyTo") msg.inReplyTo = text;
      else if (key == "replyBy") msg.replyBy = text;
    }
    p = _skipWs(json, p);
    if (p >= json.length) return null;
    const c = json.charCodeAt(p);
    if (c == 0x7d) return msg;
    if (c != 0x2c) return null;
    p = _skipWs(json, p + 1);
  }
}

function _skipWs(s: string, p: i32): i32 {
  while (p < s.length) {
    const c = s.charCodeAt(p);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
    p++;
  }
  return p;
}

/** `p` is at an opening quote; returns the index past the closing one, or -1. */
function _skipString(s: string, p: i32): i32 {
  p++;
  while (p < s.length) {
    const c = s.charCodeAt(p);
    if (c == 0x22) return p + 1;
    p += c == 0x5c ? 2 : 1; // a backslash escapes the next character
  }
  return -1;
}

/** Returns the index past the JSON value at `p`, or -1 when malformed. */
function _skipValue(s: string, p: i32): i32 {
  if (p >= s.length) return -1;
  let c = s.charCodeAt(p);
  if (c == 0x22) return _skipString(s, p);
  if (c == 0x7b || c == 0x5b) {
    // nested object or array: skip by depth, minding strings
    let depth = 0;
    do {
      if (p >= s.length) return -1;
      c = s.charCodeAt(p);
      if (c == 0x22) {
        p = _skipString(s, p);
        if (p < 0) return -1;
        continue;
      }
      if (c == 0x7b || c == 0x5b) depth++;
      else if (c == 0x7d || c == 0x5d) depth--;
      p++;
    } while (depth != 0);
    return p;
  }
  // number, true, false or null: runs to the next delimiter
  const start = p;
  while (p < s.length) {
    c = s.charCodeAt(p);
    if (c == 0x2c || c == 0x7d || c == 0x5d || c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) {
      break;
    }
    p++;
  }
  return p > start ? p : -1;
}

/** Decodes the JSON string body `s[from, to)` (between the quotes). */
function _unescape(s: string, from: i32, to: i32): string {
  const first = s.indexOf("\\", from);
  if (first < 0 || first >= to) return s.substring(from, to);
  const parts = new Array<string>();
  let run = from;
  let p = from;
  while (p < to) {
    if (s.charCodeAt(p) != 0x5c) {
      p++;
      continue;
    }
    parts.push(s.substring(run, p));
    const e = p + 1 < to ? s.charCodeAt(p + 1) : 0;
    if (e == 0x75 && p + 6 <= to) {
      // \uXXXX is one UTF-16 code unit, which is what an AssemblyScript string holds
      parts.push(String.fromCharCode(_parseHex4(s, p + 2)));
      p += 6;
    } else {
      if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else parts.push(String.fromCharCode(e)); // \" \\ \/
      p += 2;
    }
    run = p;
  }
  parts.push(s.substring(run, to));
  return parts.join("");
}

function _parseHex4(s: string, p: i32): i32 {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(p + i);
    let d = 0;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    v = (v << 4) | d;
  }
  return v;
}

function _hex2(c: i32): string {
  const digits = "0123456789abcdef";
  return digits.charAt(c >> 4) + digits.charAt(c & 15);
}
