/**
 * Random HTTP requests for the API fuzzer, drawn by fast-check from the
 * routes of the served OpenAPI document: documented and undocumented
 * methods, path parameters from sane to hostile, query strings, headers,
 * content types and bodies (JSON, ACL messages, FIPA strings, multipart,
 * module bytes, deep nesting, junk).
 */
import fc from "fast-check";
import { fipaLike } from "./acl_inputs.ts";

/** One route of the document: its template and documented methods with their statuses. */
export interface Route {
  template: string;
  /** Upper-case method → the response statuses documented for it. */
  methods: Map<string, Set<string>>;
}

/** A request the fuzzer sends. */
export interface FuzzRequest {
  route: Route;
  method: string;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  body: Uint8Array | string | null;
}

const _METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/** The routes of an OpenAPI document. */
export function routesOf(document: { paths: Record<string, Record<string, unknown>> }): Route[] {
  return Object.entries(document.paths).map(([template, item]) => {
    const methods = new Map<string, Set<string>>();
    for (const [key, op] of Object.entries(item)) {
      if (!_METHODS.includes(key.toUpperCase())) continue;
      const responses = (op as { responses?: Record<string, unknown> }).responses ?? {};
      methods.set(key.toUpperCase(), new Set(Object.keys(responses)));
    }
    return { template, methods };
  });
}

const _text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

/** A path parameter: names that exist on the node, plausible ones, hostile ones. */
function _param(known: readonly string[]) {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...known) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "nobody",
        "ext:fuzz",
        "_api",
        "a".repeat(200),
        "..",
        ".",
        "%",
        "%zz",
        "%00",
        "%2F",
        "%E0%A4%A",
        "%FF%FE",
        "a%2Fb",
        "${x}",
        "CON",
      ),
    },
    { weight: 3, arbitrary: _text.map((t) => encodeURIComponent(t)) },
    { weight: 1, arbitrary: _text.map((t) => t.replace(/[/?#]/g, "")) },
  );
}

const _queryKeys = fc.constantFrom(
  "limit",
  "after",
  "prefix",
  "state",
  "capability",
  "wait",
  "max",
  "timeout",
  "since",
  "until",
  "before",
  "conversation",
  "agent",
  "performative",
  "start",
  "isolation",
  "capabilities",
  "tools",
  "limits.fuelPerMessage",
  "limits.memoryPages",
  "limits.maxMessageBytes",
  "limits.nope",
  "toolLimits.callsPerMinute",
  "format",
);

const _queryValue = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom("0", "-1", "1e309", "NaN", "1.5", "9007199254740993", "", "true", "false"),
  fc.constantFrom("running", "stopped", "shared", "dedicated", "process", "[]", '["a"]', "[1]"),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  _text,
);

/** Waits a request may ask for are kept short, so a run spends its time on many requests. */
function _boundWaits([key, value]: [string, string]): [string, string] {
  if ((key === "wait" || key === "timeout") && /^\d+$/.test(value) && Number(value) > 200) {
    return [key, String(Number(value) % 200)];
  }
  return [key, value];
}

const _contentType = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/fipa-acl",
      "application/fipa-acl",
      "multipart/form-data; boundary=fuzz",
      "multipart/form-data",
      "application/wasm",
      "text/plain",
      "application/x-www-form-urlencoded",
      "APPLICATION/JSON",
      "application/problem+json",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

const _headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const _headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

const _aclish = fc.record({
  performative: fc.oneof(
    fc.constantFrom("request", "inform", "query-ref", "cfp", "failure", "nonsense"),
    _text,
  ),
  receiver: fc.oneof(
    fc.array(fc.constantFrom("echo", "ext:fuzz-p", "nobody", "tool:x/y", "cap:echo"), {
      maxLength: 5,
    }),
    fc.jsonValue(),
  ),
  content: fc.jsonValue({ maxDepth: 3 }),
  conversationId: _text,
  replyWith: _text,
  replyBy: fc.oneof(fc.date().map((d) => String(d)), _text),
  protocol: fc.constantFrom("fipa-request", "fipa-query", "fipa-contract-net", "nope"),
  sender: fc.constantFrom("ext:fuzz-p", "echo", "ext:other"),
}, { requiredKeys: [] });

/** Nesting deep enough to find any recursion on the way (parse, stringify, validation). */
const _deep = fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => {
    const close = open === "[" ? "]" : "}";
    const inner = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return `{"performative":"inform","receiver":["echo"],"content":${inner}}`;
  });

const _utf8 = new TextEncoder();

/** A multipart body with boundary "fuzz"; a part may carry bytes (a module). */
function _multipart(
  parts: { name: string; value: string | Uint8Array; file: boolean }[],
): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const head = `--fuzz\r\nContent-Disposition: form-data; name="${p.name}"${
      p.file ? '; filename="a.wasm"\r\nContent-Type: application/wasm' : ""
    }\r\n\r\n`;
    chunks.push(_utf8.encode(head), typeof p.value === "string" ? _utf8.encode(p.value) : p.value);
    chunks.push(_utf8.encode("\r\n"));
  }
  chunks.push(_utf8.encode("--fuzz--\r\n"));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Bodies; `modules` are real agent modules, so deploys get past validation to their options. */
function _body(modules: readonly Uint8Array[]) {
  const module = modules.length > 0
    ? fc.constantFrom(...modules)
    : fc.constant(new Uint8Array([0, 0x61, 0x73, 0x6d]));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 4, arbitrary: _aclish.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: fipaLike },
    { weight: 1, arbitrary: _deep },
    { weight: 2, arbitrary: module },
    {
      weight: 3,
      arbitrary: fc.array(
        fc.record({
          name: fc.constantFrom(
            "module",
            "limits",
            "isolation",
            "capabilities",
            "tools",
            "toolLimits",
            "start",
          ),
          value: fc.oneof(_text, fc.json({ maxDepth: 2 }), module),
          file: fc.boolean(),
        }),
        { maxLength: 5 },
      ).map(_multipart),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) =>
        new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...b])
      ),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
    { weight: 1, arbitrary: _text },
  );
}

/**
 * Requests over `routes`; `known` names are used often as path parameters,
 * `modules` (valid agent modules) often as deploy bodies.
 */
export function requests(
  routes: Route[],
  known: readonly string[],
  modules: readonly Uint8Array[] = [],
): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...route.methods.keys()) },
        { weight: 1, arbitrary: fc.constantFrom(..._METHODS) },
      ),
      path: fc.tuple(
        fc.array(_param(known), { minLength: 4, maxLength: 4 }),
        fc.oneof(
          { weight: 12, arbitrary: fc.constant("") },
          { weight: 1, arbitrary: fc.constantFrom("/", "/extra", "//", "/..") },
        ),
      ).map(([values, suffix]) => {
        let i = 0;
        return route.template.replace(/\{[^}]+\}/g, () => values[i++]!) + suffix;
      }),
      query: fc.array(fc.tuple(_queryKeys, _queryValue).map(_boundWaits), { maxLength: 4 }),
      headers: fc.tuple(
        fc.option(_contentType, { nil: undefined }),
        fc.option(fc.constantFrom("application/json", "text/event-stream", "*/*", "text/html"), {
          nil: undefined,
        }),
        fc.array(fc.tuple(_headerName, _headerValue), { maxLength: 3 }),
      ).map(([type, accept, extra]) => [
        ...(type === undefined ? [] : [["content-type", type] as [string, string]]),
        ...(accept === undefined ? [] : [["accept", accept] as [string, string]]),
        ...extra.filter(([name]) =>
          !["content-length", "host", "transfer-encoding", "connection"].includes(name)
        ),
      ]),
      body: _body(modules),
      matchType: fc.boolean(),
    }).map(({ matchType, ...request }) => matchType ? _withMatchingType(request) : request)
  );
}

/** Half the requests name the content type their body has, so they get past the media-type check. */
function _withMatchingType(request: FuzzRequest): FuzzRequest {
  const body = request.body;
  if (body === null) return request;
  const type = typeof body === "string"
    ? body.startsWith("(") ? "text/fipa-acl" : "application/json"
    : body[1] === 0x61 && body[2] === 0x73 && body[3] === 0x6d
    ? "application/wasm"
    : body[0] === 0x2d
    ? "multipart/form-data; boundary=fuzz"
    : "application/octet-stream";
  const headers = request.headers.filter(([name]) => name !== "content-type");
  return { ...request, headers: [["content-type", type], ...headers] };
}
