import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AclMessage,
  AclParseError,
  parseFipaString,
  PERFORMATIVES,
  printFipaString,
  toAclMessage,
} from "../../src/acl/mod.ts";

const R = "(set (agent-identifier :name a))";

function assertReason(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseFipaString(text),
    (e: unknown) => {
      assert.ok(e instanceof AclParseError, `expected AclParseError, got ${e}`);
      assert.match(e.reason, pattern);
      return true;
    },
  );
}

// ---- examples in the style of the FIPA specifications ----

Deno.test("the SC00061 request example parses into the JSON form", () => {
  const text = `(request
    :sender (agent-identifier :name i)
    :receiver (set (agent-identifier :name j))
    :content "((action (agent-identifier :name j) (deliver box017 (loc 12 19))))"
    :protocol fipa-request
    :language fipa-sl
    :reply-with order567)`;
  assert.deepStrictEqual(parseFipaString(text), {
    performative: "request",
    sender: "i",
    receiver: ["j"],
    content: "((action (agent-identifier :name j) (deliver box017 (loc 12 19))))",
    protocol: "fipa-request",
    language: "fipa-sl",
    replyWith: "order567",
  });
});

Deno.test("addresses, resolvers and user-defined parameters are read and dropped", () => {
  const text = `(inform
    :sender (agent-identifier :name da0@foo.com
              :addresses (sequence iiop://foo.com/acc http://foo.com:8080/acc)
              :resolvers (sequence (agent-identifier :name ams@foo.com
                                     :addresses (sequence iiop://foo.com/acc)))
              :X-nick "d a")
    :receiver (set (agent-identifier :name j@bar.com) (agent-identifier :name "k l"))
    :reply-to (set (agent-identifier :name i@foo.com))
    :content "weather (today, raining)"
    :language Prolog
    :X-JADE-priority (high (very 3))
    :conversation-id c1 :in-reply-to 42 :encoding utf-8 :ontology (weather v2))`;
  assert.deepStrictEqual(parseFipaString(text), {
    performative: "inform",
    sender: "da0@foo.com",
    receiver: ["j@bar.com", "k l"],
    replyTo: ["i@foo.com"],
    content: "weather (today, raining)",
    language: "Prolog",
    conversationId: "c1",
    inReplyTo: "42",
    encoding: "utf-8",
    ontology: "(weather v2)",
  });
});

Deno.test("performatives, parameter names and keywords are case-insensitive; values keep case", () => {
  const m = parseFipaString(
    `(QUERY-If :RECEIVER (SET (Agent-Identifier :NAME Bob)) :Content "X" :Reply-By 20261124T120000000z)`,
  );
  assert.deepStrictEqual(m, {
    performative: "query-if",
    receiver: ["Bob"],
    content: "X",
    replyBy: "2026-11-24T12:00:00.000Z",
  });
});

Deno.test("byte-length strings count UTF-8 bytes and may hold quotes", () => {
  assert.equal(parseFipaString(`(cfp :receiver ${R} :content #4"abcd)`).content, "abcd");
  assert.equal(parseFipaString(`(cfp :receiver ${R} :content #7"h"éllo)`).content, 'h"éllo');
  assert.equal(parseFipaString(`(cfp :receiver ${R} :content #0")`).content, "");
  assert.equal(parseFipaString(`(cfp :receiver ${R} :content #4"😀)`).content, "😀");
});

Deno.test('quoted strings unescape \\" and \\\\; other backslashes stand for themselves', () => {
  const m = parseFipaString(`(inform :receiver ${R} :content "say \\"hi\\" \\\\ a\\nb")`);
  assert.equal(m.content, 'say "hi" \\ a\\nb');
});

Deno.test("reply-by maps FIPA date-times to ISO 8601 and back", () => {
  const utc = parseFipaString(`(cfp :receiver ${R} :reply-by 20261124T120000000Z)`);
  assert.equal(utc.replyBy, "2026-11-24T12:00:00.000Z");
  assert.ok(!Number.isNaN(Date.parse(utc.replyBy)));
  const local = parseFipaString(`(cfp :receiver ${R} :reply-by 20240229T235959999)`);
  assert.equal(local.replyBy, "2024-02-29T23:59:59.999");
  assert.match(printFipaString(local), /:reply-by 20240229T235959999\)$/);
  const offset = { performative: "cfp", receiver: ["a"], replyBy: "2026-11-24T13:00:00+01:00" };
  assert.match(printFipaString(offset as AclMessage), /:reply-by 20261124T120000000Z\)$/);
  const short = { performative: "cfp", receiver: ["a"], replyBy: "2026-11-24T12:00:00.5Z" };
  assert.match(printFipaString(short as AclMessage), /:reply-by 20261124T120000500Z\)$/);
});

Deno.test("the printer is canonical: one line, SC00061 order, words only where plain", () => {
  const m: AclMessage = {
    performative: "inform",
    replyBy: "2026-11-24T12:00:00.000Z",
    content: 'say "hi"',
    receiver: ["b", "007"],
    sender: "agent@host:1099/JADE",
    language: "fipa-sl",
    conversationId: "c 1",
  };
  assert.equal(
    printFipaString(m),
    "(inform :sender (agent-identifier :name agent@host:1099/JADE) " +
      ':receiver (set (agent-identifier :name b) (agent-identifier :name "007")) ' +
      ':content "say \\"hi\\"" :language fipa-sl :conversation-id "c 1" ' +
      ":reply-by 20261124T120000000Z)",
  );
});

Deno.test("non-string content prints as the quoted text of its JSON and comes back as that string", () => {
  const m: AclMessage = { performative: "inform", receiver: ["a"], content: { n: [1, "x"] } };
  const text = printFipaString(m);
  assert.equal(
    text,
    '(inform :receiver (set (agent-identifier :name a)) :content "{\\"n\\":[1,\\"x\\"]}")',
  );
  assert.deepStrictEqual(parseFipaString(text), { ...m, content: '{"n":[1,"x"]}' });
});

Deno.test("the printer refuses what the FIPA form cannot carry", () => {
  const base = { performative: "inform", receiver: ["a"] } as const;
  assert.throws(
    () => printFipaString({ ...base, receiver: ["a"], replyBy: "+010000-01-01T00:00:00Z" }),
    (e: unknown) => e instanceof RangeError && /years 0000-9999/.test(e.message),
  );
  assert.throws(
    () => printFipaString({ ...base, receiver: ["a"], content: () => 1 }),
    TypeError,
  );
});

// ---- property-based round trips ----

const awkward = fc.constantFrom(
  "a b",
  'say "hi"',
  "back\\slash",
  "\\",
  '"',
  '\\"',
  "line\nbreak",
  "tab\there",
  "(paren)",
  ")",
  ":colon",
  ":receiver",
  '#3"abc',
  "007",
  "-dash",
  "+1",
  "@at",
  "agent@host:1099/JADE",
  "20261124T120000000Z",
  "é",
  "😀",
  "\u0000",
  "set",
);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  awkward,
);
const name = fc.oneof(text, fc.string({ unit: "binary", maxLength: 300 }))
  .filter((s) => s.length >= 1 && s.length <= 256);
const replyBy = fc.tuple(
  fc.date({
    min: new Date("0000-01-01T00:00:00.000Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  }),
  fc.boolean(),
).map(([d, utc]) => utc ? d.toISOString() : d.toISOString().slice(0, 23));

function messages<C>(content: fc.Arbitrary<C>, contentRequired = false) {
  const required: Array<"performative" | "receiver" | "content"> = ["performative", "receiver"];
  if (contentRequired) required.push("content");
  return fc.record({
    performative: fc.constantFrom(...PERFORMATIVES),
    sender: text,
    // A set (SC00061): toAclMessage counts a repeated receiver once.
    receiver: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
    replyTo: fc.array(name, { minLength: 1, maxLength: 3 }),
    content,
    language: text,
    encoding: text,
    ontology: text,
    protocol: text,
    conversationId: text,
    replyWith: text,
    inReplyTo: text,
    replyBy,
  }, { requiredKeys: required, noNullPrototype: true });
}

Deno.test("every valid message with string content survives print then parse unchanged", () => {
  fc.assert(
    fc.property(messages(text), (m) => {
      assert.deepStrictEqual(toAclMessage(m), m); // the generator makes valid messages
      const printed = printFipaString(m);
      const parsed = parseFipaString(printed);
      assert.deepStrictEqual(parsed, m);
      assert.equal(printFipaString(parsed), printed);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("non-string content round-trips as its JSON text, everything else unchanged", () => {
  fc.assert(
    fc.property(messages(fc.jsonValue().filter((v) => typeof v !== "string"), true), (m) => {
      const parsed = parseFipaString(printFipaString(m));
      assert.deepStrictEqual(parsed, { ...m, content: JSON.stringify(m.content) });
      assert.deepStrictEqual(
        JSON.parse(parsed.content as string),
        JSON.parse(JSON.stringify(m.content)),
      );
    }),
    { numRuns: 200 },
  );
});

Deno.test("any input either parses or fails with AclParseError, never anything else", () => {
  const tokenish = fc.string({
    unit: fc.constantFrom(...'()":#\\ \n-+@.0129TZaxé'.split(""), ":receiver", " (set ", '#2"'),
    maxLength: 60,
  });
  const mutated = fc.tuple(messages(text), fc.nat(), fc.nat(), fc.string({ maxLength: 3 }))
    .map(([m, at, cut, insert]) => {
      const s = printFipaString(m);
      const i = at % (s.length + 1);
      return s.slice(0, i) + insert + s.slice(i + (cut % 4));
    });
  fc.assert(
    fc.property(fc.oneof(tokenish, mutated, fc.string()), (input) => {
      try {
        assert.deepStrictEqual(toAclMessage(parseFipaString(input)), parseFipaString(input));
      } catch (e) {
        if (!(e instanceof AclParseError)) throw e;
      }
    }),
    { numRuns: 1000 },
  );
});

// ---- malformed input: each fails with a precise, actionable reason ----

const malformed: Array<[string, RegExp]> = [
  ["", /^empty input; expected a message such as \(inform/],
  [" \n\t ", /^empty input/],
  ["inform :receiver x", /^expected "\(" to open the message at offset 0, found word "inform"/],
  [
    `(requets :receiver ${R})`,
    /^unknown performative "requets" at offset 1; use one of accept-proposal, agree, .*subscribe$/,
  ],
  [
    `(${"q".repeat(5000)} :receiver ${R})`,
    /^unknown performative "q{40}…" at offset 1; use one of/,
  ],
  [`("inform" :receiver ${R})`, /^expected a performative at offset 1, found string "inform"/],
  [`(inform :receiver ${R} :content "abc)`, /^unterminated string starting at offset 60; close it/],
  [`(inform :receiver ${R}`, /^unclosed message starting at offset 0; add "\)"/],
  [
    `(inform foo :receiver ${R})`,
    /^expected a parameter such as ":receiver" at offset 8, found word "foo"/,
  ],
  [`(inform :content "x")`, /^missing parameter ":receiver"; add :receiver \(set/],
  [
    "(inform :receiver (agent-identifier :name a))",
    /^parameter ":receiver" expects a set of agent-identifiers at offset 19, .*found word "agent-identifier"/,
  ],
  [
    "(inform :receiver bob)",
    /^parameter ":receiver" expects a set of agent-identifiers at offset 18, .*found word "bob"/,
  ],
  [
    "(inform :receiver (set))",
    /^parameter ":receiver" expects a set of agent-identifiers at offset 18; the set is empty/,
  ],
  [
    "(inform :receiver (set bob))",
    /^parameter ":receiver" expects a set of agent-identifiers at offset 23; found word "bob"/,
  ],
  [
    `(inform :receiver (set (agent-identifier :name ${"x".repeat(257)})))`,
    /^parameter ":receiver" expects .* at offset 23; name "x{40}…" must be 1 to 256 characters/,
  ],
  [
    `(inform :receiver (set (agent-identifier :name "")))`,
    /name "" must be 1 to 256 characters/,
  ],
  [
    `(inform :language sl :receiver ${R} :LANGUAGE sl2)`,
    /^duplicate parameter ":language" at offset 64; give each parameter once/,
  ],
  [`(inform :receiver ${R}) (inform)`, /^trailing input at offset 52 after the message/],
  [
    `(inform :receiver ${R} :ontology ${"(".repeat(70)}`,
    /^nesting deeper than 64 levels at offset 124; flatten/,
  ],
  [
    `(inform :receiver ${R} :ontology (a (b c)`,
    /^unclosed "\(" at offset 61 in the value of parameter ":ontology"/,
  ],
  [
    `(inform :receiver ${R} :colour red)`,
    /^unknown parameter ":colour" at offset 51; use one of :sender, :receiver, .*:reply-by or a user-defined :X-/,
  ],
  [
    `(inform :language :receiver ${R})`,
    /^parameter ":language" is missing its value at offset 18; found word ":receiver"/,
  ],
  [
    `(inform :receiver ${R} :protocol)`,
    /^parameter ":protocol" is missing its value at offset 60; found "\)"/,
  ],
  [
    `(inform :receiver ${R} :content hello)`,
    /^parameter ":content" expects a string at offset 60, e\.g\./,
  ],
  [
    "(inform :receiver (set (agent-identifier :addresses (sequence iiop://x))))",
    /^agent-identifier at offset 23 has no ":name"; add :name/,
  ],
  [
    "(inform :receiver (set (agent :name a)))",
    /^parameter ":receiver" expects \(agent-identifier :name …\) at offset 24; found word "agent"/,
  ],
  [
    "(inform :receiver (set (agent-identifier :name a :NAME b)))",
    /^duplicate agent-identifier parameter ":name" at offset 49/,
  ],
  [
    "(inform :receiver (set (agent-identifier :name a :nick b)))",
    /^unknown agent-identifier parameter ":nick" at offset 49; use :name, :addresses, :resolvers or :X-/,
  ],
  [
    "(inform :sender (agent-identifier :name 42) :receiver (set))",
    /^":name" expects a word or a quoted string at offset 40; found number "42"/,
  ],
  [
    `(inform :receiver ${R} :content #10"abc)`,
    /^byte-length string at offset 60 declares 10 bytes but only 4 follow/,
  ],
  [
    `(inform :receiver ${R} :content #x"abc")`,
    /^malformed byte-length string at offset 60; write #<byte count>"<bytes>/,
  ],
  [
    `(inform :receiver ${R} :content #1"é")`,
    /^byte-length string at offset 60 declares 1 bytes, which ends inside a UTF-8 character/,
  ],
  [
    `(inform :receiver ${R} :reply-by tomorrow)`,
    /^":reply-by" "tomorrow" at offset 61 is not a FIPA date-time; write YYYYMMDDTHHMMSSmmm/,
  ],
  [
    `(inform :receiver ${R} :reply-by 20261324T120000000Z)`,
    /^":reply-by" "20261324T120000000Z" at offset 61 is not a valid calendar time/,
  ],
  [`(inform :receiver ${R} :reply-by 20250229T120000000Z)`, /is not a valid calendar time/],
  [
    `(inform :receiver ${R} :reply-by +00000000T000500000)`,
    /at offset 61 is a relative time, which is not supported/,
  ],
  [
    `(inform :receiver ${R} :reply-by 20261124T120000000A)`,
    /has type designator "A"; use Z for UTC or none for local time/,
  ],
  [`(inform :receiver ${R} :reply-with 12ab)`, /^malformed number "12ab" at offset 63; .*quote it/],
  [
    `(inform :receiver ${R} :language @x)`,
    /^a word cannot start with "@" at offset 61 \("@x"\); quote it/,
  ],
  [
    `(inform :receiver ${R} :content "${"x".repeat(1 << 20)}")`,
    /^input is at least \d+ bytes; the FIPA string form is limited to 1048576 bytes \(1 MiB\)/,
  ],
  [
    `(inform :receiver ${R} :content "${"é".repeat(600_000)}")`,
    /^input is 1200\d{3} bytes; the FIPA string form is limited to 1048576/,
  ],
];

for (const [input, reason] of malformed) {
  const shown = input.length > 60 ? `${input.slice(0, 57)}...` : input;
  Deno.test(`malformed ${JSON.stringify(shown)} is rejected: ${reason.source.slice(0, 60)}`, () => {
    assertReason(input, reason);
  });
}

Deno.test("the error carries the invalid_message code and a readable message", () => {
  try {
    parseFipaString("(requets)");
    assert.fail("expected a parse error");
  } catch (e) {
    assert.ok(e instanceof AclParseError);
    assert.equal(e.code, "invalid_message");
    assert.match(e.message, /^Cannot accept message: unknown performative "requets" at offset 1/);
  }
});
