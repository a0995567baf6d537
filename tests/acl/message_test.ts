import assert from "node:assert/strict";
import { AclParseError, parseAclJson, PERFORMATIVES, toAclMessage } from "../../src/acl/mod.ts";

Deno.test("all 22 FIPA communicative acts are valid performatives", () => {
  assert.equal(PERFORMATIVES.length, 22);
  for (const performative of PERFORMATIVES) {
    assert.equal(toAclMessage({ performative, receiver: "a" }).performative, performative);
  }
});

Deno.test("a receiver given as one name becomes a list; every parameter is kept", () => {
  const message = parseAclJson(JSON.stringify({
    performative: "request",
    sender: "ext:cli",
    receiver: "echo",
    replyTo: ["ext:cli", "audit"],
    content: { any: ["json"] },
    language: "json",
    encoding: "utf-8",
    ontology: "demo",
    protocol: "fipa-request",
    conversationId: "c1",
    replyWith: "r1",
    inReplyTo: "r0",
    replyBy: "2026-11-24T12:00:00Z",
  }));
  assert.deepEqual(message.receiver, ["echo"]);
  assert.deepEqual(message.replyTo, ["ext:cli", "audit"]);
  assert.deepEqual(message.content, { any: ["json"] });
  assert.equal(message.replyBy, "2026-11-24T12:00:00Z");
});

const MALFORMED: [string, RegExp][] = [
  ["", /not valid JSON/],
  ["[1]", /expected a JSON object/],
  ["null", /expected a JSON object/],
  ['{"receiver":"a"}', /"performative" is undefined; use one of the 22 FIPA acts/],
  ['{"performative":"requets","receiver":"a"}', /"performative" is "requets"/],
  ['{"performative":"inform"}', /"receiver" must be an agent name or a non-empty array/],
  [
    '{"performative":"inform","receiver":[]}',
    /"receiver" must be an agent name or a non-empty array/,
  ],
  ['{"performative":"inform","receiver":[""]}', /"receiver" holds ""/],
  ['{"performative":"inform","receiver":[7]}', /"receiver" holds 7/],
  [
    '{"performative":"inform","receiver":"a","conversationId":5}',
    /"conversationId" must be a string, got 5/,
  ],
  [
    '{"performative":"inform","receiver":"a","replyBy":"tomorrow"}',
    /"replyBy" is "tomorrow"; use an ISO 8601 time/,
  ],
  [
    '{"performative":"inform","receiver":"a","conversation-id":"c"}',
    /unknown parameter "conversation-id"/,
  ],
];

for (const [input, reason] of MALFORMED) {
  Deno.test(`malformed JSON message ${JSON.stringify(input)} is refused with its reason`, () => {
    assert.throws(
      () => parseAclJson(input),
      (e: unknown) =>
        e instanceof AclParseError && e.code === "invalid_message" && reason.test(e.message),
    );
  });
}
