/**
 * The FIPA ACL string encoding (SC00070), parsed into and printed from
 * {@linkcode AclMessage}.
 *
 * Mapping rules, so that `parseFipaString(printFipaString(m))` equals `m`:
 * - Names and parameter values print as bare words when they are plain
 *   (`[A-Za-z_][A-Za-z0-9_.:@/+-]*`) and as quoted strings otherwise; only `\"`
 *   and `\\` are escapes, any other backslash stands for itself.
 * - `content` prints as a quoted string. Non-string JSON content prints as the
 *   quoted text of `JSON.stringify(content)` and parses back as that string.
 * - `replyBy` prints as a FIPA date-time (`YYYYMMDDTHHMMSSmmm`, `Z` for UTC,
 *   no designator for local time) and parses back as
 *   `YYYY-MM-DDTHH:MM:SS.mmm` plus `Z` when UTC. Other ISO 8601 forms print
 *   as the same instant in UTC.
 * - Parsing drops what AclMessage cannot hold and that FIPA lets receivers
 *   ignore: `:addresses` and `:resolvers` of agent-identifiers and
 *   user-defined `:X-…` parameters. Relative (signed) date-times and type
 *   designators other than `Z` are rejected.
 * - Parameter values that are nested expressions, e.g. `:ontology (a b)`,
 *   are kept as their source text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFipaString, printFipaString } from "./fipa_string.ts";
 *
 * const m = parseFipaString(`(INFORM :receiver (set (agent-identifier :name bob)) :content "hi")`);
 * assert.deepEqual(m, { performative: "inform", receiver: ["bob"], content: "hi" });
 * assert.equal(printFipaString(m), `(inform :receiver (set (agent-identifier :name bob)) :content "hi")`);
 * ```
 */
import { type AclMessage, AclParseError, type Performative, PERFORMATIVES } from "./message.ts";
import { describeToken, FipaLexer, type FipaToken, showValue } from "./fipa_lexer.ts";

/** Largest input accepted, in UTF-8 bytes (1 MiB). */
export const MAX_FIPA_STRING_BYTES = 1024 * 1024;

type _StringField =
  | "language"
  | "encoding"
  | "ontology"
  | "protocol"
  | "conversationId"
  | "replyWith"
  | "inReplyTo";

// Print order follows SC00061's table of message parameters.
const _STRING_PARAMS: ReadonlyArray<readonly [string, _StringField]> = [
  [":language", "language"],
  [":encoding", "encoding"],
  [":ontology", "ontology"],
  [":protocol", "protocol"],
  [":conversation-id", "conversationId"],
  [":reply-with", "replyWith"],
  [":in-reply-to", "inReplyTo"],
];
const _STRING_PARAM_FIELDS: ReadonlyMap<string, _StringField> = new Map(_STRING_PARAMS);
const _PARAMS = [
  ":sender",
  ":receiver",
  ":reply-to",
  ":content",
  ..._STRING_PARAMS.map(([name]) => name),
  ":reply-by",
];
const _PERFORMATIVE_SET: ReadonlySet<string> = new Set(PERFORMATIVES);
const _PLAIN_WORD = /^[A-Za-z_][A-Za-z0-9_.:@/+\-]*$/;
const _ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?([Zz]?)$/;

function _fail(reason: string): never {
  throw new AclParseError(reason);
}

function _checkSize(text: string): void {
  // UTF-8 takes at least one byte per UTF-16 unit and at most three.
  if (text.length * 3 <= MAX_FIPA_STRING_BYTES) return;
  const bytes = text.length > MAX_FIPA_STRING_BYTES
    ? text.length
    : new TextEncoder().encode(text).length;
  if (bytes > MAX_FIPA_STRING_BYTES) {
    _fail(
      `input is ${
        text.length > MAX_FIPA_STRING_BYTES ? "at least " : ""
      }${bytes} bytes; the FIPA string form is limited to ${MAX_FIPA_STRING_BYTES} bytes (1 MiB)`,
    );
  }
}

function _expectOpen(lexer: FipaLexer, what: string): FipaToken {
  const token = lexer.next();
  if (token.kind !== "(") {
    _fail(`expected "(" to open ${what} at offset ${token.offset}, found ${describeToken(token)}`);
  }
  return token;
}

function _keyword(token: FipaToken): string | undefined {
  return token.kind === "word" ? token.value.toLowerCase() : undefined;
}

/** Reads one Expression (word, string, number, date-time or parenthesised list) as text. */
function _expression(lexer: FipaLexer, param: string, nested = false): string {
  const token = lexer.next();
  if (token.kind === "(") {
    while (lexer.peek().kind !== ")") {
      if (lexer.peek().kind === "eof") {
        _fail(
          `unclosed "(" at offset ${token.offset} in the value of parameter ${showValue(param)}`,
        );
      }
      _expression(lexer, param, true);
    }
    return lexer.slice(token.offset, lexer.next().end);
  }
  // A keyword where a value belongs means the value was left out.
  const keyword = !nested && token.kind === "word" && token.value.startsWith(":");
  if (token.kind === ")" || token.kind === "eof" || keyword) {
    _fail(
      `parameter ${showValue(param)} is missing its value at offset ${token.offset}; found ${
        describeToken(token)
      }`,
    );
  }
  return token.value;
}

/** Reads `(agent-identifier :name n …)` and returns the name. */
function _agentIdentifier(lexer: FipaLexer, param: string): string {
  const open = _expectOpen(lexer, `an agent-identifier for "${param}"`);
  const head = lexer.next();
  if (_keyword(head) !== "agent-identifier") {
    _fail(
      `parameter "${param}" expects (agent-identifier :name …) at offset ${head.offset}; found ${
        describeToken(head)
      }`,
    );
  }
  let name: string | undefined;
  const seen = new Set<string>();
  for (let token = lexer.next(); token.kind !== ")"; token = lexer.next()) {
    const key = _keyword(token);
    if (key === undefined || !key.startsWith(":")) {
      _fail(
        token.kind === "eof"
          ? `unclosed agent-identifier starting at offset ${open.offset}; add ")"`
          : `expected an agent-identifier parameter such as ":name" at offset ${token.offset}, found ${
            describeToken(token)
          }`,
      );
    }
    if (seen.has(key) && !key.startsWith(":x-")) {
      _fail(
        `duplicate agent-identifier parameter "${key}" at offset ${token.offset}; give it once`,
      );
    }
    seen.add(key);
    if (key === ":name") {
      const value = lexer.next();
      if (value.kind !== "word" && value.kind !== "string") {
        _fail(
          `":name" expects a word or a quoted string at offset ${value.offset}; found ${
            describeToken(value)
          }`,
        );
      }
      name = value.value;
    } else if (key === ":addresses" || key === ":resolvers" || key.startsWith(":x-")) {
      _expression(lexer, key); // AclMessage keeps names only.
    } else {
      _fail(
        `unknown agent-identifier parameter ${
          showValue(token.value)
        } at offset ${token.offset}; use :name, :addresses, :resolvers or :X-…`,
      );
    }
  }
  if (name === undefined) {
    _fail(`agent-identifier at offset ${open.offset} has no ":name"; add :name <agent>`);
  }
  return name;
}

/** Reads `(set (agent-identifier …) …)`: a non-empty list of names of 1 to 256 characters. */
function _agentSet(lexer: FipaLexer, param: string): string[] {
  const expects = `parameter "${param}" expects a set of agent-identifiers`;
  const open = lexer.next();
  const head = open.kind === "(" ? lexer.next() : open;
  if (open.kind !== "(" || _keyword(head) !== "set") {
    _fail(
      `${expects} at offset ${head.offset}, e.g. (set (agent-identifier :name bob)); found ${
        describeToken(head)
      }`,
    );
  }
  const names: string[] = [];
  while (lexer.peek().kind !== ")") {
    const next = lexer.peek();
    if (next.kind !== "(") {
      _fail(`${expects} at offset ${next.offset}; found ${describeToken(next)}`);
    }
    const name = _agentIdentifier(lexer, param);
    if (name.length === 0 || name.length > 256) {
      _fail(
        `${expects} at offset ${next.offset}; name ${showValue(name)} must be 1 to 256 characters`,
      );
    }
    names.push(name);
  }
  lexer.next();
  if (names.length === 0) {
    _fail(`${expects} at offset ${open.offset}; the set is empty, name at least one agent`);
  }
  return names;
}

/** Whether 14 digits `YYYYMMDDHHMMSS` name a real calendar time. */
function _isCalendarTime(digits: string): boolean {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) =>
    Number(digits.slice(at, at + (i === 0 ? 4 : 2)))
  ) as [number, number, number, number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 59;
}

function _dateTime(token: FipaToken): string {
  const bad = `":reply-by" ${showValue(token.value)} at offset ${token.offset}`;
  const example = "e.g. 20261124T120000000Z";
  if (token.kind !== "datetime") {
    _fail(
      `${bad} is not a FIPA date-time; write YYYYMMDDTHHMMSSmmm with an optional Z, ${example}`,
    );
  }
  const v = token.value;
  if (v[0] === "+" || v[0] === "-") {
    _fail(`${bad} is a relative time, which is not supported; send an absolute time, ${example}`);
  }
  const zone = v.length === 19 ? v[18]!.toUpperCase() : "";
  if (zone !== "" && zone !== "Z") {
    _fail(`${bad} has type designator "${v[18]}"; use Z for UTC or none for local time`);
  }
  if (!_isCalendarTime(v.slice(0, 8) + v.slice(9, 15))) {
    _fail(`${bad} is not a valid calendar time; ${example}`);
  }
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(9, 11)}:${v.slice(11, 13)}:${
    v.slice(13, 15)
  }.${v.slice(15, 18)}${zone}`;
}

/**
 * Parses one message in the FIPA ACL string encoding (SC00070).
 * Performatives, parameter names and keywords are case-insensitive.
 *
 * @throws {AclParseError} with a `reason` naming the character offset and the fix.
 */
export function parseFipaString(text: string): AclMessage {
  _checkSize(text);
  const lexer = new FipaLexer(text);
  if (lexer.peek().kind === "eof") {
    _fail(
      `empty input; expected a message such as (inform :receiver (set (agent-identifier :name a)))`,
    );
  }
  const open = _expectOpen(lexer, "the message");
  const act = lexer.next();
  const performative = _keyword(act) ?? "";
  if (!_PERFORMATIVE_SET.has(performative)) {
    _fail(
      act.kind === "word"
        ? `unknown performative ${showValue(act.value)} at offset ${act.offset}; use one of ${
          PERFORMATIVES.join(", ")
        }`
        : `expected a performative at offset ${act.offset}, found ${describeToken(act)}`,
    );
  }
  const message: Partial<AclMessage> = { performative: performative as Performative };
  const seen = new Set<string>();
  for (let token = lexer.next(); token.kind !== ")"; token = lexer.next()) {
    const key = _keyword(token);
    if (token.kind === "eof") _fail(`unclosed message starting at offset ${open.offset}; add ")"`);
    if (key === undefined || !key.startsWith(":")) {
      _fail(
        `expected a parameter such as ":receiver" at offset ${token.offset}, found ${
          describeToken(token)
        }`,
      );
    }
    if (key === ":x-traceparent") {
      message.traceparent = _expression(lexer, key);
      continue;
    }
    if (key.startsWith(":x-")) {
      _expression(lexer, token.value); // User-defined: AclMessage has no place for it.
      continue;
    }
    if (seen.has(key)) {
      _fail(`duplicate parameter "${key}" at offset ${token.offset}; give each parameter once`);
    }
    seen.add(key);
    const field = _STRING_PARAM_FIELDS.get(key);
    if (field !== undefined) {
      message[field] = _expression(lexer, key);
    } else if (key === ":sender") {
      message.sender = _agentIdentifier(lexer, key);
    } else if (key === ":receiver") {
      message.receiver = _agentSet(lexer, key);
    } else if (key === ":reply-to") {
      message.replyTo = _agentSet(lexer, key);
    } else if (key === ":reply-by") {
      message.replyBy = _dateTime(lexer.next());
    } else if (key === ":content") {
      const value = lexer.next();
      if (value.kind !== "string") {
        _fail(
          `parameter ":content" expects a string at offset ${value.offset}, e.g. :content "(done)"; found ${
            describeToken(value)
          }`,
        );
      }
      message.content = value.value;
    } else {
      _fail(
        `unknown parameter ${showValue(token.value)} at offset ${token.offset}; use one of ${
          _PARAMS.join(", ")
        } or a user-defined :X-…`,
      );
    }
  }
  const rest = lexer.peek();
  if (rest.kind !== "eof") {
    _fail(`trailing input at offset ${rest.offset} after the message; send one message per string`);
  }
  if (message.receiver === undefined) {
    _fail(`missing parameter ":receiver"; add :receiver (set (agent-identifier :name <agent>))`);
  }
  return message as AclMessage;
}

function _word(value: string): string {
  return _PLAIN_WORD.test(value) ? value : _quote(value);
}

function _quote(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

function _agent(name: string): string {
  return `(agent-identifier :name ${_word(name)})`;
}

function _fipaTime(iso: string): string {
  const m = _ISO.exec(iso);
  if (m !== null && _isCalendarTime(m.slice(1, 7).join(""))) {
    const [, y, mo, d, h, mi, s, ms = "", zone = ""] = m;
    return `${y}${mo}${d}T${h}${mi}${s}${ms.padEnd(3, "0")}${zone.toUpperCase()}`;
  }
  const time = Date.parse(iso);
  const utc = Number.isNaN(time) ? "" : new Date(time).toISOString();
  if (!/^\d{4}-/.test(utc)) {
    throw new RangeError(
      `Cannot print replyBy "${iso}": FIPA date-times need an ISO 8601 time in years 0000-9999`,
    );
  }
  return _fipaTime(utc);
}

/**
 * Prints a message in the canonical FIPA ACL string encoding: one line,
 * parameters in SC00061 order, absent parameters left out.
 *
 * @throws {RangeError} when `replyBy` is not an ISO 8601 time in years 0000-9999.
 * @throws {TypeError} when `content` cannot be written as JSON.
 */
export function printFipaString(message: AclMessage): string {
  let out = `(${message.performative}`;
  if (message.sender !== undefined) out += ` :sender ${_agent(message.sender)}`;
  out += ` :receiver (set ${message.receiver.map(_agent).join(" ")})`;
  if (message.replyTo !== undefined) {
    out += ` :reply-to (set ${message.replyTo.map(_agent).join(" ")})`;
  }
  if (message.content !== undefined) {
    const content = message.content;
    const text = typeof content === "string" ? content : JSON.stringify(content);
    if (typeof text !== "string") {
      throw new TypeError(`Cannot print content of type ${typeof content}: it has no JSON text`);
    }
    out += ` :content ${_quote(text)}`;
  }
  for (const [name, field] of _STRING_PARAMS) {
    const value = message[field];
    if (value !== undefined) out += ` ${name} ${_word(value)}`;
  }
  if (message.replyBy !== undefined) out += ` :reply-by ${_fipaTime(message.replyBy)}`;
  if (message.traceparent !== undefined) out += ` :X-traceparent ${_word(message.traceparent)}`;
  return `${out})`;
}
