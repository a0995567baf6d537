/*
 * caxton.h — the Caxton Agent ABI v1 (docs/ABI.md) for C and C++.
 *
 * Build an agent with Debian's clang, lld and wasi-libc (see README.md):
 *
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -nostartfiles \
 *     -Wl,--no-entry -I sdk/c sdk/c/caxton.c my_agent.c -o my_agent.wasm
 *
 * The SDK defines every ABI export (memory, caxton_abi_v1, caxton_alloc,
 * caxton_handle, caxton_init). An agent defines one function, and
 * optionally a second:
 *
 *   int caxton_on_message(const caxton_msg *msg);  // 0 = handled
 *   int caxton_on_init(void);                      // 0 = ready (optional)
 *
 * Strings are (pointer, length) views: `caxton_str`. Views into a received
 * message and every buffer the SDK hands out during a message live until
 * `caxton_on_message` returns; copy what must outlive it into state.
 */
#ifndef CAXTON_H
#define CAXTON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A UTF-8 string view; `ptr` is NULL when the value is absent. */
typedef struct caxton_str {
  const char *ptr;
  size_t len;
} caxton_str;

/** A view of a NUL-terminated string (NULL gives an absent view). */
caxton_str caxton_s(const char *text);
/** Whether `a` is present and equals the NUL-terminated `text`. */
int caxton_eq(caxton_str a, const char *text);
/** Whether `a` is present and starts with `prefix`. */
int caxton_starts_with(caxton_str a, const char *prefix);

/** One received ACL message. String fields are decoded (JSON escapes resolved). */
typedef struct caxton_msg {
  caxton_str performative;
  caxton_str sender;
  /** The first receiver (the agent itself for a message sent to it alone). */
  caxton_str receiver;
  /** The content when it is a JSON string; absent otherwise. */
  caxton_str content;
  /** The content as raw JSON text, whatever its type; absent when there is none. */
  caxton_str content_json;
  caxton_str language;
  caxton_str encoding;
  caxton_str ontology;
  caxton_str protocol;
  caxton_str conversation_id;
  caxton_str reply_with;
  caxton_str in_reply_to;
  caxton_str reply_by;
} caxton_msg;

/** One message to send. Absent fields are left out of the JSON. */
typedef struct caxton_out {
  /** Required, e.g. "inform". */
  const char *performative;
  /** Required: one receiver name. */
  caxton_str receiver;
  /** Content sent as a JSON string. */
  caxton_str content;
  /** Content sent as raw JSON (used instead of `content` when present). */
  caxton_str content_json;
  caxton_str language;
  caxton_str ontology;
  caxton_str protocol;
  caxton_str conversation_id;
  caxton_str reply_with;
  caxton_str in_reply_to;
  /** An ISO 8601 time, e.g. "2026-11-24T12:00:00Z"; a reply not in by then earns a failure. */
  caxton_str reply_by;
} caxton_out;

/** The agent's handler; the SDK calls it once per message. Return 0 when handled. */
int caxton_on_message(const caxton_msg *msg);
/** Optional: runs once before the first message (register capabilities here). */
int caxton_on_init(void);

/* --- sending ----------------------------------------------------------------- */

/**
 * Sends `out`. Returns the host's code: 0 accepted, -1 invalid, -2 a receiver's
 * mailbox is full (nothing sent; retry later), -3 too large, -4 send quota exhausted.
 */
int caxton_send(const caxton_out *out);
/**
 * A reply to `to`, addressed to its sender, with `inReplyTo` = its replyWith and
 * the same conversationId. Fill in the content and send it.
 */
caxton_out caxton_reply_to(const caxton_msg *to, const char *performative);
/** Sends a threaded reply with string content in one call. */
int caxton_reply(const caxton_msg *to, const char *performative, caxton_str content);

/* --- state (per-agent, persisted) ------------------------------------------- */

/** The value of `key` (a view valid until the message ends), or an absent view. */
caxton_str caxton_state_get(caxton_str key);
/** 0 stored; -3 key or value too large; -4 state quota full; -5 refused (a pool member). */
int caxton_state_set(caxton_str key, caxton_str value);
/** 0 deleted; -1 it was absent. */
int caxton_state_delete(caxton_str key);

/* --- log, time, capabilities ------------------------------------------------ */

enum { CAXTON_TRACE = 0, CAXTON_DEBUG = 1, CAXTON_INFO = 2, CAXTON_WARN = 3, CAXTON_ERROR = 4 };
void caxton_log(int level, caxton_str text);
/** Wall-clock milliseconds since the Unix epoch. */
int64_t caxton_now_ms(void);
/** 0 registered; -1 invalid name. Call from caxton_on_init. */
int caxton_register_capability(const char *name);

/* --- durable timers (docs/TIMERS.md) ------------------------------------------ */

/**
 * Sets a durable timer: in `delay_ms` the agent gets an `inform` from `caxton`
 * (ontology `caxton-timer`, conversation `timer:<id>`) whose content carries
 * `payload` (UTF-8, at most 4096 bytes). Set only if this message is handled.
 * Returns the id (> 0), or -1 invalid, -3 payload too large, -4 over 64 timer
 * calls in one message, -5 refused (a pool member).
 */
int64_t caxton_set_timer(int64_t delay_ms, caxton_str payload);
/** 0 the cancellation is recorded (applies when the message is handled); -1 not an id; -5 refused. */
int caxton_cancel_timer(int64_t id);

/* --- text building (memory lives until the message ends) --------------------- */

typedef struct caxton_buf {
  char *data;
  size_t len;
  size_t cap;
} caxton_buf;

void caxton_buf_add(caxton_buf *buf, caxton_str text);
void caxton_buf_adds(caxton_buf *buf, const char *text);
void caxton_buf_u64(caxton_buf *buf, uint64_t value);
/** The buffer's text as a view. */
caxton_str caxton_buf_str(const caxton_buf *buf);

/** Parses a decimal unsigned integer; returns -1 when `text` is not one. */
int64_t caxton_parse_u64(caxton_str text);
/** Splits off the next space-separated word of `*rest` (absent when none is left). */
caxton_str caxton_next_word(caxton_str *rest);
/** Scratch memory freed when the message ends (NULL when out of memory). */
void *caxton_scratch(size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CAXTON_H */
