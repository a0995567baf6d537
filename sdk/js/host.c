/*
 * host.c — runs an agent written in JavaScript inside QuickJS, itself compiled
 * to WebAssembly with the Caxton ABI v1 as its only imports (docs/ABI.md).
 *
 * The agent's script (embedded by the build as `caxton_js_source`) defines
 * `handle(msg)` and optionally `init()`; it talks to Caxton through the global
 * `caxton` object (sdk/js/README.md). Messages arrive parsed with QuickJS's own
 * JSON.parse; what the script sends is JSON.stringify'd here.
 *
 * QuickJS and wasi-libc reach for a few WASI functions (clock, stdio); they are
 * defined in wasi_stubs.c, so the module imports nothing but `caxton.*`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quickjs.h"

#define IMPORT(name) __attribute__((import_module("caxton"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("send") int32_t cx_send(const char *ptr, int32_t len);
IMPORT("log") void cx_log(int32_t level, const char *ptr, int32_t len);
IMPORT("state_get") int32_t cx_state_get(const char *k, int32_t kl, char *v, int32_t vc);
IMPORT("state_set") int32_t cx_state_set(const char *k, int32_t kl, const char *v, int32_t vl);
IMPORT("state_delete") int32_t cx_state_delete(const char *k, int32_t kl);
IMPORT("now_ms") int64_t cx_now_ms(void);
IMPORT("register_capability") int32_t cx_register_capability(const char *p, int32_t n);

extern const char caxton_js_source[];
extern const size_t caxton_js_source_len;

/* Helpers every agent script gets, in JavaScript. */
static const char PRELUDE[] =
    "caxton.reply = function (msg, performative, content, extra) {\n"
    "  const out = { performative, receiver: [msg.sender], content };\n"
    "  if (msg.replyWith !== undefined) out.inReplyTo = msg.replyWith;\n"
    "  if (msg.conversationId !== undefined) out.conversationId = msg.conversationId;\n"
    "  if (msg.protocol !== undefined) out.protocol = msg.protocol;\n"
    "  return caxton.send(Object.assign(out, extra));\n"
    "};\n";

static JSRuntime *rt;
static JSContext *ctx;

static void _log_exception(void) {
  JSValue error = JS_GetException(ctx);
  const char *text = JS_ToCString(ctx, error);
  if (text) {
    cx_log(4, text, (int32_t)strlen(text));
    JS_FreeCString(ctx, text);
  }
  JS_FreeValue(ctx, error);
}

/* caxton.send(message) -> host code (0 accepted) */
static JSValue js_send(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  if (argc < 1) return JS_ThrowTypeError(c, "caxton.send needs a message");
  JSValue json = JS_JSONStringify(c, argv[0], JS_UNDEFINED, JS_UNDEFINED);
  if (JS_IsException(json)) return json;
  size_t len;
  const char *text = JS_ToCStringLen(c, &len, json);
  JS_FreeValue(c, json);
  if (!text) return JS_EXCEPTION;
  int32_t code = cx_send(text, (int32_t)len);
  JS_FreeCString(c, text);
  return JS_NewInt32(c, code);
}

/* caxton.log(level, text) */
static JSValue js_log(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  int32_t level = 2;
  if (argc >= 1) JS_ToInt32(c, &level, argv[0]);
  size_t len;
  const char *text = argc >= 2 ? JS_ToCStringLen(c, &len, argv[1]) : NULL;
  if (!text) return JS_UNDEFINED;
  cx_log(level, text, (int32_t)len);
  JS_FreeCString(c, text);
  return JS_UNDEFINED;
}

static JSValue js_now(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self, (void)argc, (void)argv;
  return JS_NewFloat64(c, (double)cx_now_ms());
}

static JSValue js_register_capability(JSContext *c, JSValueConst self, int argc,
                                      JSValueConst *argv) {
  (void)self;
  size_t len;
  const char *name = argc >= 1 ? JS_ToCStringLen(c, &len, argv[0]) : NULL;
  if (!name) return JS_ThrowTypeError(c, "caxton.registerCapability needs a name");
  int32_t code = cx_register_capability(name, (int32_t)len);
  JS_FreeCString(c, name);
  return JS_NewInt32(c, code);
}

/* caxton.stateGet(key) -> string | null (values are UTF-8 text) */
static JSValue js_state_get(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  size_t klen;
  const char *key = argc >= 1 ? JS_ToCStringLen(c, &klen, argv[0]) : NULL;
  if (!key) return JS_ThrowTypeError(c, "caxton.stateGet needs a key");
  char small[256];
  int32_t n = cx_state_get(key, (int32_t)klen, small, sizeof small);
  JSValue result = JS_NULL;
  if (n >= 0 && (size_t)n <= sizeof small) {
    result = JS_NewStringLen(c, small, (size_t)n);
  } else if (n > 0) {
    char *big = malloc((size_t)n);
    if (big) {
      cx_state_get(key, (int32_t)klen, big, n);
      result = JS_NewStringLen(c, big, (size_t)n);
      free(big);
    }
  }
  JS_FreeCString(c, key);
  return result;
}

/* caxton.stateGetBytes(key) -> array of byte values | null */
static JSValue js_state_get_bytes(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  size_t klen;
  const char *key = argc >= 1 ? JS_ToCStringLen(c, &klen, argv[0]) : NULL;
  if (!key) return JS_ThrowTypeError(c, "caxton.stateGetBytes needs a key");
  int32_t n = cx_state_get(key, (int32_t)klen, NULL, 0);
  JSValue result = JS_NULL;
  if (n >= 0) {
    unsigned char *bytes = malloc((size_t)n + 1);
    if (bytes) {
      cx_state_get(key, (int32_t)klen, (char *)bytes, n);
      result = JS_NewArray(c);
      for (int32_t i = 0; i < n; i++) JS_SetPropertyUint32(c, result, (uint32_t)i, JS_NewInt32(c, bytes[i]));
      free(bytes);
    }
  }
  JS_FreeCString(c, key);
  return result;
}

/* caxton.stateSetBytes(key, array of byte values) -> host code (0 stored) */
static JSValue js_state_set_bytes(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  if (argc < 2) return JS_ThrowTypeError(c, "caxton.stateSetBytes needs a key and bytes");
  int64_t n = -1;
  JSValue length = JS_GetPropertyStr(c, argv[1], "length");
  if (JS_ToInt64(c, &n, length)) n = -1;
  JS_FreeValue(c, length);
  if (n < 0 || n > 65536) {
    return JS_ThrowRangeError(c, "caxton.stateSetBytes needs an array of at most 65536 bytes");
  }
  unsigned char *bytes = malloc((size_t)n + 1);
  if (!bytes) return JS_ThrowOutOfMemory(c);
  for (int64_t i = 0; i < n; i++) {
    int32_t b = 0;
    JSValue v = JS_GetPropertyUint32(c, argv[1], (uint32_t)i);
    JS_ToInt32(c, &b, v);
    JS_FreeValue(c, v);
    bytes[i] = (unsigned char)b;
  }
  size_t klen;
  const char *key = JS_ToCStringLen(c, &klen, argv[0]);
  int32_t code = key ? cx_state_set(key, (int32_t)klen, (const char *)bytes, (int32_t)n) : -1;
  JS_FreeCString(c, key);
  free(bytes);
  return JS_NewInt32(c, code);
}

/* caxton.stateSet(key, text) -> host code (0 stored) */
static JSValue js_state_set(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  if (argc < 2) return JS_ThrowTypeError(c, "caxton.stateSet needs a key and a value");
  size_t klen, vlen;
  const char *key = JS_ToCStringLen(c, &klen, argv[0]);
  const char *value = JS_ToCStringLen(c, &vlen, argv[1]);
  int32_t code = key && value ? cx_state_set(key, (int32_t)klen, value, (int32_t)vlen) : -1;
  JS_FreeCString(c, key);
  JS_FreeCString(c, value);
  return JS_NewInt32(c, code);
}

/* caxton.stateDelete(key) -> 0 deleted, -1 absent */
static JSValue js_state_delete(JSContext *c, JSValueConst self, int argc, JSValueConst *argv) {
  (void)self;
  size_t klen;
  const char *key = argc >= 1 ? JS_ToCStringLen(c, &klen, argv[0]) : NULL;
  if (!key) return JS_ThrowTypeError(c, "caxton.stateDelete needs a key");
  int32_t code = cx_state_delete(key, (int32_t)klen);
  JS_FreeCString(c, key);
  return JS_NewInt32(c, code);
}

static const JSCFunctionListEntry CAXTON_FUNCTIONS[] = {
    JS_CFUNC_DEF("send", 1, js_send),
    JS_CFUNC_DEF("log", 2, js_log),
    JS_CFUNC_DEF("now", 0, js_now),
    JS_CFUNC_DEF("registerCapability", 1, js_register_capability),
    JS_CFUNC_DEF("stateGet", 1, js_state_get),
    JS_CFUNC_DEF("stateSet", 2, js_state_set),
    JS_CFUNC_DEF("stateDelete", 1, js_state_delete),
    JS_CFUNC_DEF("stateGetBytes", 1, js_state_get_bytes),
    JS_CFUNC_DEF("stateSetBytes", 2, js_state_set_bytes),
};

static int _eval(const char *source, size_t len, const char *name) {
  JSValue result = JS_Eval(ctx, source, len, name, JS_EVAL_TYPE_GLOBAL);
  int failed = JS_IsException(result);
  if (failed) _log_exception();
  JS_FreeValue(ctx, result);
  return failed;
}

/* Calls global `name(arg)` if it exists; returns its number result (0 when none), or 1 on a throw. */
static int _call(const char *name, JSValue arg, int argc) {
  JSValue global = JS_GetGlobalObject(ctx);
  JSValue fn = JS_GetPropertyStr(ctx, global, name);
  int code = 0;
  if (JS_IsFunction(ctx, fn)) {
    JSValue result = JS_Call(ctx, fn, global, argc, &arg);
    if (JS_IsException(result)) {
      _log_exception();
      code = 1;
    } else if (JS_IsNumber(result)) {
      JS_ToInt32(ctx, &code, result);
    }
    JS_FreeValue(ctx, result);
  } else if (argc > 0) {
    code = 1; /* no handle(msg): nothing can handle the message */
  }
  JS_FreeValue(ctx, fn);
  JS_FreeValue(ctx, global);
  return code;
}

EXPORT("caxton_abi_v1") void caxton_abi_v1(void) {}

EXPORT("caxton_init") int32_t caxton_init(void) {
  rt = JS_NewRuntime();
  if (!rt) return 1;
  JS_SetMemoryLimit(rt, 8 * 1024 * 1024);
  /* only the intrinsics an agent needs: the full set costs twice the default
     per-message fuel to build, these fit within it */
  ctx = JS_NewContextRaw(rt);
  if (!ctx) return 1;
  JS_AddIntrinsicBaseObjects(ctx);
  JS_AddIntrinsicEval(ctx);
  JS_AddIntrinsicJSON(ctx);
  JS_AddIntrinsicMapSet(ctx);
  JS_AddIntrinsicDate(ctx);
  JSValue global = JS_GetGlobalObject(ctx);
  JSValue caxton = JS_NewObject(ctx);
  JS_SetPropertyFunctionList(ctx, caxton, CAXTON_FUNCTIONS,
                             sizeof CAXTON_FUNCTIONS / sizeof CAXTON_FUNCTIONS[0]);
  JS_SetPropertyStr(ctx, global, "caxton", caxton);
  JS_FreeValue(ctx, global);
  if (_eval(PRELUDE, sizeof PRELUDE - 1, "<caxton>")) return 1;
  if (_eval(caxton_js_source, caxton_js_source_len, "agent.js")) return 1;
  return _call("init", JS_UNDEFINED, 0);
}

EXPORT("caxton_alloc") char *caxton_alloc(int32_t len) {
  return (char *)malloc(len > 0 ? (size_t)len + 1 : 1);
}

/* 0 handled; 1 the script threw or returned non-zero; 2 not JSON. */
EXPORT("caxton_handle") int32_t caxton_handle(char *ptr, int32_t len) {
  ptr[len] = 0; /* JS_ParseJSON wants a terminated buffer; alloc left room for it */
  JSValue msg = JS_ParseJSON(ctx, ptr, (size_t)len, "<message>");
  free(ptr);
  if (JS_IsException(msg)) {
    _log_exception();
    return 2;
  }
  int code = _call("handle", msg, 1);
  JS_FreeValue(ctx, msg);
  JS_RunGC(rt);
  return code;
}
