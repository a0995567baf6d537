/**
 * Tokens of the FIPA ACL string encoding (SC00070): parentheses, words,
 * strings (quoted or byte-length-prefixed), numbers and date-times. Offsets are
 * JavaScript string indexes (UTF-16 code units) into the input.
 */
import { AclParseError } from "./message.ts";

/** Deepest parenthesis nesting accepted; bounds the parser's recursion. */
const MAX_FIPA_DEPTH = 64;

/** What a token is; `"eof"` marks the end of input. */
export type FipaTokenKind = "(" | ")" | "word" | "string" | "number" | "datetime" | "eof";

/** One token: `value` is the decoded string for strings and the raw text otherwise. */
export interface FipaToken {
  kind: FipaTokenKind;
  value: string;
  offset: number;
  end: number;
}

const _NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const _DATETIME = /^[+-]?\d{8}[Tt]\d{9}[A-Za-z]?$/;

function _isSpace(code: number): boolean {
  return code <= 0x20;
}

/** Quotes a value for an error message, cut to 40 characters so huge input stays out of logs. */
export function showValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Describes a token for an error message: `word "bob"`, `")"`, `end of input`. */
export function describeToken(token: FipaToken): string {
  switch (token.kind) {
    case "eof":
      return "end of input";
    case "(":
    case ")":
      return `"${token.kind}"`;
    default:
      return `${token.kind} ${showValue(token.value)}`;
  }
}

/** Reads tokens one at a time, tracking nesting depth so deep input fails early. */
export class FipaLexer {
  #text: string;
  #pos = 0;
  #depth = 0;
  #peeked: FipaToken | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** The input between two offsets, for keeping a nested expression as text. */
  slice(start: number, end: number): string {
    return this.#text.slice(start, end);
  }

  /** Returns the next token without consuming it. */
  peek(): FipaToken {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  /** Consumes and returns the next token. */
  next(): FipaToken {
    const token = this.peek();
    this.#peeked = undefined;
    return token;
  }

  #read(): FipaToken {
    const text = this.#text;
    while (this.#pos < text.length && _isSpace(text.charCodeAt(this.#pos))) this.#pos++;
    const start = this.#pos;
    if (start >= text.length) return { kind: "eof", value: "", offset: start, end: start };
    const ch = text[start]!;
    if (ch === "(") {
      if (++this.#depth > MAX_FIPA_DEPTH) {
        throw new AclParseError(
          `nesting deeper than ${MAX_FIPA_DEPTH} levels at offset ${start}; flatten the expression or send it as a quoted string`,
        );
      }
      this.#pos++;
      return { kind: "(", value: "(", offset: start, end: this.#pos };
    }
    if (ch === ")") {
      this.#depth--;
      this.#pos++;
      return { kind: ")", value: ")", offset: start, end: this.#pos };
    }
    if (ch === '"') return this.#quoted(start);
    if (ch === "#") return this.#byteLength(start);
    let end = start + 1;
    while (end < text.length) {
      const code = text.charCodeAt(end);
      if (_isSpace(code) || code === 0x28 || code === 0x29) break;
      end++;
    }
    this.#pos = end;
    const raw = text.slice(start, end);
    if (ch === "@") {
      throw new AclParseError(
        `a word cannot start with "@" at offset ${start} (${showValue(raw)}); quote it`,
      );
    }
    if (!/[0-9+\-.]/.test(ch)) return { kind: "word", value: raw, offset: start, end };
    if (_DATETIME.test(raw)) return { kind: "datetime", value: raw, offset: start, end };
    if (_NUMBER.test(raw)) return { kind: "number", value: raw, offset: start, end };
    throw new AclParseError(
      `malformed number ${
        showValue(raw)
      } at offset ${start}; words cannot start with a digit, "+", "-" or ".", so quote it`,
    );
  }

  #quoted(start: number): FipaToken {
    const text = this.#text;
    let value = "";
    let i = start + 1;
    let run = i;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        value += text.slice(run, i);
        this.#pos = i + 1;
        return { kind: "string", value, offset: start, end: this.#pos };
      }
      if (code === 0x5c) {
        const escaped = text[i + 1];
        // Only \" and \\ are escapes; any other backslash stands for itself.
        if (escaped === '"' || escaped === "\\") {
          value += text.slice(run, i) + escaped;
          i += 2;
          run = i;
          continue;
        }
      }
      i++;
    }
    throw new AclParseError(
      `unterminated string starting at offset ${start}; close it with " and write inner quotes as \\"`,
    );
  }

  #byteLength(start: number): FipaToken {
    const text = this.#text;
    const header = /^#(\d+)"/.exec(text.slice(start, start + 24));
    if (header === null) {
      throw new AclParseError(
        `malformed byte-length string at offset ${start}; write #<byte count>"<bytes>, e.g. #4"abcd`,
      );
    }
    const declared = Number(header[1]);
    let i = start + header[0].length;
    let bytes = 0;
    while (bytes < declared && i < text.length) {
      const cp = text.codePointAt(i)!;
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp > 0xffff ? 2 : 1;
    }
    if (bytes < declared) {
      throw new AclParseError(
        `byte-length string at offset ${start} declares ${declared} bytes but only ${bytes} follow; fix the count`,
      );
    }
    if (bytes > declared) {
      throw new AclParseError(
        `byte-length string at offset ${start} declares ${declared} bytes, which ends inside a UTF-8 character; fix the count`,
      );
    }
    this.#pos = i;
    return {
      kind: "string",
      value: text.slice(start + header[0].length, i),
      offset: start,
      end: i,
    };
  }
}
