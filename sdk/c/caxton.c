/*
 * caxton.c — implementation of caxton.h: the ABI v1 exports, a small JSON
 * reader for the top level of an ACL message, a JSON writer, and per-message
 * scratch memory. Uses only wasi-libc's malloc/free and string functions, none
 * of which import anything from the host (stdio would import WASI: avoid it).
 */
#include "caxton.h"

#include <stdlib.h>
#include <string.h>

#define CAXTON_IMPORT(name) __attribute__((import_module("caxton"), import_name(name)))
#define CAXTON_EXPORT(name) __attribute__((export_name(name)))

CAXTON_IMPORT("send") int32_t _caxton_send(const char *ptr, int32_t len);
CAXTON_IMPORT("log") void _caxton_log(int32_t level, const char *ptr, int32_t len);
CAXTON_IMPORT("state_get")
int32_t _caxton_state_get(const char *key, int32_t key_len, char *val, int32_t val_cap);
CAXTON_IMPORT("state_set")
int32_t _caxton_state_set(const char *key, int32_t key_len, const char *val, int32_t val_len);
CAXTON_IMPORT("state_delete") int32_t _caxton_state_delete(const char *key, int32_t key_len);
CAXTON_IMPORT("now_ms") int64_t _caxton_now_ms(void);
CAXTON_IMPORT("register_capability") int32_t _caxton_register_capability(const char *p, int32_t n);
CAXTON_IMPORT("set_timer") int64_t _caxton_set_timer(int64_t delay_ms, const char *p, int32_t n);
CAXTON_IMPORT("cancel_timer") int32_t _caxton_cancel_timer(int64_t id);

/* --- scratch memory: a list of malloc'd blocks freed after each message ------ */

typedef struct _scratch {
  struct _scratch *next;
  /* the caller's bytes follow, 16-byte aligned */
  char pad[12];
} _scratch;

static _scratch *_scratch_head;

void *caxton_scratch(size_t len) {
  _scratch *block = (_scratch *)malloc(sizeof(_scratch) + len);
  if (block == NULL) return NULL;
  block->next = _scratch_head;
  _scratch_head = block;
  return block + 1;
}

static void _scratch_release(void) {
  while (_scratch_head != NULL) {
    _scratch *next = _scratch_head->next;
    free(_scratch_head);
    _scratch_head = next;
  }
}

/* --- ABI exports ------------------------------------------------------------- */

extern void __wasm_call_ctors(void);
static int _started;

static void _start_once(void) {
  if (_started) return;
  _started = 1;
  __wasm_call_ctors(); /* C++ static constructors, once */
}

__attribute__((weak)) int caxton_on_init(void) { return 0; }

CAXTON_EXPORT("caxton_abi_v1") void caxton_abi_v1(void) {}

CAXTON_EXPORT("caxton_init") int32_t caxton_init(void) {
  _start_once();
  return caxton_on_init();
}

CAXTON_EXPORT("caxton_alloc") char *caxton_alloc(int32_t len) {
  _start_once();
  return (char *)malloc(len > 0 ? (size_t)len : 1);
}

static int _parse(char *json, size_t len, caxton_msg *msg);

/* 0 handled; 1 malformed message; otherwise what caxton_on_message returned. */
CAXTON_EXPORT("caxton_handle") int32_t caxton_handle(char *ptr, int32_t len) {
  caxton_msg msg;
  int result = _parse(ptr, (size_t)len, &msg) ? caxton_on_message(&msg) : 1;
  _scratch_release();
  free(ptr);
  return result;
}

/* --- strings ---------------------------------------------------------------- */

caxton_str caxton_s(const char *text) {
  caxton_str s = {text, text ? strlen(text) : 0};
  return s;
}

int caxton_eq(caxton_str a, const char *text) {
  size_t n = strlen(text);
  return a.ptr != NULL && a.len == n && memcmp(a.ptr, text, n) == 0;
}

int caxton_starts_with(caxton_str a, const char *prefix) {
  size_t n = strlen(prefix);
  return a.ptr != NULL && a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

int64_t caxton_parse_u64(caxton_str text) {
  if (text.ptr == NULL || text.len == 0 || text.len > 18) return -1;
  int64_t value = 0;
  for (size_t i = 0; i < text.len; i++) {
    char c = text.ptr[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

caxton_str caxton_next_word(caxton_str *rest) {
  caxton_str word = {NULL, 0};
  size_t i = 0;
  while (i < rest->len && rest->ptr[i] == ' ') i++;
  if (rest->ptr == NULL || i >= rest->len) {
    rest->len = 0;
    return word;
  }
  size_t start = i;
  while (i < rest->len && rest->ptr[i] != ' ') i++;
  word.ptr = rest->ptr + start;
  word.len = i - start;
  rest->ptr += i;
  rest->len -= i;
  return word;
}

/* --- buffers ----------------------------------------------------------------- */

static void _reserve(caxton_buf *buf, size_t more) {
  if (buf->len + more <= buf->cap) return;
  size_t cap = buf->cap ? buf->cap * 2 : 256;
  while (cap < buf->len + more) cap *= 2;
  char *data = (char *)caxton_scratch(cap);
  if (data == NULL) __builtin_trap(); /* out of memory fails this message */
  if (buf->len) memcpy(data, buf->data, buf->len);
  buf->data = data;
  buf->cap = cap;
}

void caxton_buf_add(caxton_buf *buf, caxton_str text) {
  if (text.ptr == NULL || text.len == 0) return;
  _reserve(buf, text.len);
  memcpy(buf->data + buf->len, text.ptr, text.len);
  buf->len += text.len;
}

void caxton_buf_adds(caxton_buf *buf, const char *text) { caxton_buf_add(buf, caxton_s(text)); }

void caxton_buf_u64(caxton_buf *buf, uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[sizeof digits - 1 - n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  caxton_str s = {digits + sizeof digits - n, n};
  caxton_buf_add(buf, s);
}

caxton_str caxton_buf_str(const caxton_buf *buf) {
  caxton_str s = {buf->data ? buf->data : "", buf->len};
  return s;
}

/* --- JSON writing ------------------------------------------------------------- */

static void _json_string(caxton_buf *buf, caxton_str s) {
  static const char hex[] = "0123456789abcdef";
  _reserve(buf, s.len * 6 + 2);
  char *q = buf->data + buf->len;
  *q++ = '"';
  for (size_t i = 0; i < s.len; i++) {
    unsigned char c = (unsigned char)s.ptr[i];
    if (c == '"' || c == '\\') {
      *q++ = '\\';
      *q++ = (char)c;
    } else if (c == '\n') {
      *q++ = '\\';
      *q++ = 'n';
    } else if (c < 0x20) {
      memcpy(q, "\\u00", 4);
      q[4] = hex[c >> 4];
      q[5] = hex[c & 15];
      q += 6;
    } else {
      *q++ = (char)c;
    }
  }
  *q++ = '"';
  buf->len = (size_t)(q - buf->data);
}

static void _field(caxton_buf *buf, const char *name, caxton_str value) {
  if (value.ptr == NULL) return;
  caxton_buf_adds(buf, ",\"");
  caxton_buf_adds(buf, name);
  caxton_buf_adds(buf, "\":");
  _json_string(buf, value);
}

int caxton_send(const caxton_out *out) {
  caxton_buf buf = {0};
  caxton_buf_adds(&buf, "{\"performative\":");
  _json_string(&buf, caxton_s(out->performative ? out->performative : ""));
  caxton_buf_adds(&buf, ",\"receiver\":[");
  _json_string(&buf, out->receiver);
  caxton_buf_adds(&buf, "]");
  if (out->content_json.ptr != NULL) {
    caxton_buf_adds(&buf, ",\"content\":");
    caxton_buf_add(&buf, out->content_json);
  } else {
    _field(&buf, "content", out->content);
  }
  _field(&buf, "language", out->language);
  _field(&buf, "ontology", out->ontology);
  _field(&buf, "protocol", out->protocol);
  _field(&buf, "conversationId", out->conversation_id);
  _field(&buf, "replyWith", out->reply_with);
  _field(&buf, "inReplyTo", out->in_reply_to);
  _field(&buf, "replyBy", out->reply_by);
  caxton_buf_adds(&buf, "}");
  return _caxton_send(buf.data, (int32_t)buf.len);
}

caxton_out caxton_reply_to(const caxton_msg *to, const char *performative) {
  caxton_out out;
  memset(&out, 0, sizeof out);
  out.performative = performative;
  out.receiver = to->sender;
  out.conversation_id = to->conversation_id;
  out.in_reply_to = to->reply_with;
  out.protocol = to->protocol;
  return out;
}

int caxton_reply(const caxton_msg *to, const char *performative, caxton_str content) {
  caxton_out out = caxton_reply_to(to, performative);
  out.content = content;
  return caxton_send(&out);
}

/* --- host calls --------------------------------------------------------------- */

caxton_str caxton_state_get(caxton_str key) {
  caxton_str value = {NULL, 0};
  char small[256];
  int32_t n = _caxton_state_get(key.ptr, (int32_t)key.len, small, sizeof small);
  if (n < 0) return value;
  char *data = (char *)caxton_scratch((size_t)n + 1);
  if (data == NULL) __builtin_trap();
  if ((size_t)n <= sizeof small) {
    memcpy(data, small, (size_t)n);
  } else {
    n = _caxton_state_get(key.ptr, (int32_t)key.len, data, n);
  }
  data[n] = 0;
  value.ptr = data;
  value.len = (size_t)n;
  return value;
}

int caxton_state_set(caxton_str key, caxton_str value) {
  return _caxton_state_set(key.ptr, (int32_t)key.len, value.ptr ? value.ptr : "",
                           (int32_t)value.len);
}

int caxton_state_delete(caxton_str key) {
  return _caxton_state_delete(key.ptr, (int32_t)key.len);
}

void caxton_log(int level, caxton_str text) {
  _caxton_log(level, text.ptr ? text.ptr : "", (int32_t)text.len);
}

int64_t caxton_now_ms(void) { return _caxton_now_ms(); }

int caxton_register_capability(const char *name) {
  return _caxton_register_capability(name, (int32_t)strlen(name));
}

int64_t caxton_set_timer(int64_t delay_ms, caxton_str payload) {
  return _caxton_set_timer(delay_ms, payload.ptr ? payload.ptr : "", (int32_t)payload.len);
}

int caxton_cancel_timer(int64_t id) { return _caxton_cancel_timer(id); }

/* --- JSON reading: the top level of one object --------------------------------- */

static size_t _ws(const char *s, size_t p, size_t end) {
  while (p < end && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) p++;
  return p;
}

/* s[p] is a quote; returns the index past the closing quote, or 0 when unterminated. */
static size_t _skip_string(const char *s, size_t p, size_t end) {
  for (p++; p < end; p++) {
    if (s[p] == '"') return p + 1;
    if (s[p] == '\\') p++;
  }
  return 0;
}

/* Returns the index past the value at p, or 0 when malformed. */
static size_t _skip_value(const char *s, size_t p, size_t end) {
  if (p >= end) return 0;
  if (s[p] == '"') return _skip_string(s, p, end);
  if (s[p] == '{' || s[p] == '[') {
    int depth = 0;
    do {
      if (p >= end) return 0;
      if (s[p] == '"') {
        p = _skip_string(s, p, end);
        if (p == 0) return 0;
        continue;
      }
      if (s[p] == '{' || s[p] == '[') depth++;
      if (s[p] == '}' || s[p] == ']') depth--;
      p++;
    } while (depth != 0);
    return p;
  }
  size_t start = p;
  while (p < end && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ' && s[p] != '\n' &&
         s[p] != '\r' && s[p] != '\t')
    p++;
  return p > start ? p : 0;
}

static unsigned _hex4(const char *s) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
  }
  return v;
}

/* Decodes the JSON string whose body is s[from, to) into scratch memory. */
static caxton_str _decode(const char *s, size_t from, size_t to) {
  caxton_str out = {NULL, 0};
  char *q = (char *)caxton_scratch(to - from + 1);
  if (q == NULL) __builtin_trap();
  out.ptr = q;
  for (size_t p = from; p < to;) {
    if (s[p] != '\\') {
      *q++ = s[p++];
      continue;
    }
    char e = p + 1 < to ? s[p + 1] : 0;
    if (e == 'u' && p + 6 <= to) {
      unsigned c = _hex4(s + p + 2);
      p += 6;
      if (c >= 0xd800 && c < 0xdc00 && p + 6 <= to && s[p] == '\\' && s[p + 1] == 'u') {
        unsigned low = _hex4(s + p + 2);
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        p += 6;
      }
      if (c < 0x80) {
        *q++ = (char)c;
      } else if (c < 0x800) {
        *q++ = (char)(0xc0 | (c >> 6));
        *q++ = (char)(0x80 | (c & 0x3f));
      } else if (c < 0x10000) {
        *q++ = (char)(0xe0 | (c >> 12));
        *q++ = (char)(0x80 | ((c >> 6) & 0x3f));
        *q++ = (char)(0x80 | (c & 0x3f));
      } else {
        *q++ = (char)(0xf0 | (c >> 18));
        *q++ = (char)(0x80 | ((c >> 12) & 0x3f));
        *q++ = (char)(0x80 | ((c >> 6) & 0x3f));
        *q++ = (char)(0x80 | (c & 0x3f));
      }
      continue;
    }
    *q++ = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
    p += 2;
  }
  out.len = (size_t)(q - out.ptr);
  return out;
}

static int _key_is(const char *s, size_t from, size_t to, const char *name) {
  size_t n = strlen(name);
  return to - from == n && memcmp(s + from, name, n) == 0;
}

static int _parse(char *s, size_t end, caxton_msg *msg) {
  memset(msg, 0, sizeof *msg);
  size_t p = _ws(s, 0, end);
  if (p >= end || s[p] != '{') return 0;
  p = _ws(s, p + 1, end);
  if (p < end && s[p] == '}') return 1;
  for (;;) {
    if (p >= end || s[p] != '"') return 0;
    size_t key_end = _skip_string(s, p, end);
    if (key_end == 0) return 0;
    size_t key = p + 1, key_stop = key_end - 1;
    p = _ws(s, key_end, end);
    if (p >= end || s[p] != ':') return 0;
    size_t value = _ws(s, p + 1, end);
    p = _skip_value(s, value, end);
    if (p == 0) return 0;
    if (_key_is(s, key, key_stop, "content")) {
      msg->content_json.ptr = s + value;
      msg->content_json.len = p - value;
    }
    caxton_str *dest = NULL;
    if (_key_is(s, key, key_stop, "performative")) dest = &msg->performative;
    else if (_key_is(s, key, key_stop, "sender")) dest = &msg->sender;
    else if (_key_is(s, key, key_stop, "receiver")) dest = &msg->receiver;
    else if (_key_is(s, key, key_stop, "content")) dest = &msg->content;
    else if (_key_is(s, key, key_stop, "language")) dest = &msg->language;
    else if (_key_is(s, key, key_stop, "encoding")) dest = &msg->encoding;
    else if (_key_is(s, key, key_stop, "ontology")) dest = &msg->ontology;
    else if (_key_is(s, key, key_stop, "protocol")) dest = &msg->protocol;
    else if (_key_is(s, key, key_stop, "conversationId")) dest = &msg->conversation_id;
    else if (_key_is(s, key, key_stop, "replyWith")) dest = &msg->reply_with;
    else if (_key_is(s, key, key_stop, "inReplyTo")) dest = &msg->in_reply_to;
    else if (_key_is(s, key, key_stop, "replyBy")) dest = &msg->reply_by;
    size_t first = value; /* receiver may be an array: take its first string */
    if (dest == &msg->receiver && s[value] == '[') first = _ws(s, value + 1, p);
    if (dest != NULL && first < p && s[first] == '"') {
      size_t stop = _skip_string(s, first, p);
      if (stop == 0) return 0;
      *dest = _decode(s, first + 1, stop - 1);
    }
    p = _ws(s, p, end);
    if (p >= end) return 0;
    if (s[p] == '}') return 1;
    if (s[p] != ',') return 0;
    p = _ws(s, p + 1, end);
  }
}
