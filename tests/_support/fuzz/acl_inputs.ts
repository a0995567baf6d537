/**
 * Inputs for fuzzing the ACL codecs: text that looks enough like a FIPA ACL
 * string or a JSON ACL message to get deep into the parsers, mutated, nested
 * deeply, or plain junk.
 */
import fc from "fast-check";
import { PERFORMATIVES } from "../../../src/acl/mod.ts";

const _PARAMS = [
  ":sender",
  ":receiver",
  ":reply-to",
  ":content",
  ":language",
  ":encoding",
  ":ontology",
  ":protocol",
  ":conversation-id",
  ":reply-with",
  ":in-reply-to",
  ":reply-by",
  ":X-traceparent",
  ":X-other",
  ":",
];

const _word = fc.oneof(
  fc.constantFrom(...PERFORMATIVES, "agent-identifier", "set", "sequence", ":name", ":addresses"),
  fc.stringMatching(/^[a-z][a-z0-9@:._-]{0,12}$/),
  fc.constantFrom('"quoted \\" text"', '"', '#3"abc', '#999999999"', '#-1"', "20261124T120000000Z"),
  fc.string({ maxLength: 8 }),
);

/** Token soup shaped like a FIPA ACL string (SC00070). */
const _tokens = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: _word },
    { weight: 2, arbitrary: fc.constantFrom(..._PARAMS) },
    { weight: 2, arbitrary: fc.constantFrom("(", ")", "(set ", "(agent-identifier :name ") },
  ),
  { maxLength: 40 },
).map((parts) => parts.join(" "));

/** A well-formed message with one mutation: a cut, an insertion, or a swap. */
const _mutated = fc.tuple(
  fc.constantFrom(...PERFORMATIVES),
  fc.string({ maxLength: 20 }),
  fc.nat(),
  fc.nat(4),
  fc.string({ maxLength: 4 }),
).map(([performative, content, at, cut, insert]) => {
  const s =
    `(${performative} :sender (agent-identifier :name a) :receiver (set (agent-identifier :name echo)) :content ${
      JSON.stringify(content)
    } :reply-with r1)`;
  const i = at % (s.length + 1);
  return s.slice(0, i) + insert + s.slice(i + cut);
});

/** Parentheses nested deep enough to find recursion in a parser. */
const _nested = fc.tuple(
  fc.integer({ min: 100, max: 100_000 }),
  fc.constantFrom("(", "(set ", "(agent-identifier :name "),
)
  .map(([depth, open]) =>
    `(inform :receiver ${open.repeat(depth)}x${")".repeat(depth)} :content "c")`
  );

/** Text for the FIPA string parser. */
export const fipaLike: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: _tokens },
  { weight: 3, arbitrary: _mutated },
  { weight: 1, arbitrary: _nested },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

/** Text for the JSON codec: JSON values shaped like messages, deep nesting, junk. */
export const jsonLike: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      performative: fc.oneof(fc.constantFrom(...PERFORMATIVES), fc.jsonValue()),
      receiver: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.jsonValue()),
      sender: fc.jsonValue(),
      replyTo: fc.jsonValue(),
      content: fc.jsonValue(),
      replyBy: fc.oneof(fc.string(), fc.jsonValue()),
      conversationId: fc.jsonValue(),
      traceparent: fc.oneof(fc.string(), fc.jsonValue()),
      __proto__: fc.jsonValue(),
      constructor: fc.jsonValue(),
    }, { requiredKeys: [] }).map((m) => JSON.stringify(m)),
  },
  { weight: 2, arbitrary: fc.json() },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 100_000 }).map((depth) =>
      `{"performative":"inform","receiver":["a"],"content":${"[".repeat(depth)}${
        "]".repeat(depth)
      }}`
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);
