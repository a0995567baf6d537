import assert from "node:assert/strict";
import {
  type AclMessage,
  checkConversation,
  type ConversationState,
  type Performative,
  ProtocolChecker,
} from "../../src/acl/mod.ts";

/** Builds the messages of one conversation that follows `protocol`. */
function talk(protocol: string | undefined, conversationId = "c1") {
  return (
    performative: Performative,
    sender: string,
    receiver: string | string[],
    extra: Partial<AclMessage> = {},
  ): AclMessage => ({
    performative,
    sender,
    receiver: [receiver].flat(),
    ...(protocol === undefined ? {} : { protocol }),
    conversationId,
    ...extra,
  });
}

const req = talk("fipa-request");
const query = talk("fipa-query");
const cn = talk("fipa-contract-net");
const icn = talk("fipa-iterated-contract-net");

const DEADLINE = "2026-03-01T12:00:00.000Z";
const BEFORE = Date.parse(DEADLINE) - 1_000;

/** `"sender>receiver,receiver performative; …"`, or whole messages, in conversation "c1". */
function say(protocol: string, ...parts: (string | AclMessage)[]): AclMessage[] {
  return parts.flatMap((part) => {
    if (typeof part !== "string") return [part];
    return part.split("; ").map((line) => {
      const [, sender, receivers, performative] = /^(\S+)>(\S+) (\S+)$/.exec(line)!;
      return talk(protocol)(performative as Performative, sender!, receivers!.split(","));
    });
  });
}
const [R, Q, CN, ICN] = [
  "fipa-request",
  "fipa-query",
  "fipa-contract-net",
  "fipa-iterated-contract-net",
];

/** Each conversation, the state it ends in, and every violation it must get (none if absent). */
const CASES: Record<string, [ConversationState, AclMessage[], ...string[]]> = {
  // fipa-request (SC00026)
  "request, agree, inform completes a fipa-request": ["completed", [
    req("request", "manager", "worker", { replyWith: "r1" }),
    req("agree", "worker", "manager", { inReplyTo: "r1" }),
    req("inform", "worker", "manager", { inReplyTo: "r1" }),
  ]],
  "agree is optional: request then inform completes": [
    "completed",
    say(R, "m>w request; w>m inform"),
  ],
  "a refused request ends as failed": ["failed", say(R, "m>w request; w>m refuse")],
  "a failed request ends as failed": ["failed", say(R, "m>w request; w>m failure")],
  "a request not understood ends as failed": ["failed", say(R, "m>w request; w>m not-understood")],
  "agree then failure ends as failed": ["failed", say(R, "m>w request; w>m agree; w>m failure")],
  "a request agreed to but not yet done is open": ["open", say(R, "m>w request; w>m agree")],
  "a request to two completes once both answer": [
    "completed",
    say(R, "m>a,b request; a>m inform; b>m refuse"),
  ],
  "a reply may go to the replyTo the request named": ["completed", [
    req("request", "m", "w", { replyTo: ["audit"] }),
    req("inform", "w", "audit"),
  ]],
  "inform from the initiator: only the participant may inform": [
    "open",
    say(R, "boss>w request; boss>w inform"),
    'message 1: "inform" from "boss", but only the participant may send "inform" in fipa-request',
  ],
  "a reply without a request is reported and opens nothing": [
    "open",
    say(R, "w>m inform"),
    'message 0: "inform" from "w" before any "request"; fipa-request opens with "request" from the initiator',
  ],
  "a duplicate final reply is reported and the result stands": [
    "completed",
    say(R, "m>w request; w>m inform; w>m inform"),
    'message 2: "inform" from "w", who already sent the result; the exchange with "w" is over',
  ],
  "agree after refuse is out of order": [
    "failed",
    say(R, "m>w request; w>m refuse; w>m agree"),
    'message 2: "agree" from "w", who refused the request; the exchange with "w" is over',
  ],
  "the initiator may cancel; the participant confirms with inform": [
    "failed",
    say(R, "m>w request; w>m agree; m>w cancel; w>m inform"),
  ],
  "a cancel not yet confirmed leaves the request open": ["open", say(R, "m>w request; m>w cancel")],
  "only the initiator may cancel": [
    "open",
    say(R, "m>w request; w>m cancel"),
    'message 1: "cancel" from "w", but only the initiator "m" may send "cancel" in fipa-request',
  ],
  "a cancel after the result is too late": [
    "completed",
    say(R, "m>w request; w>m inform; m>w cancel"),
    'message 2: "cancel" to "w", who already sent the result; the exchange with "w" is over',
  ],
  "inReplyTo must echo a replyWith the replier received": [
    "open",
    [
      req("request", "m", "w", { replyWith: "r1" }),
      req("inform", "w", "m", { inReplyTo: "r9" }),
    ],
    'message 1: "inform" from "w" has inReplyTo "r9", which matches no replyWith the initiator sent to "w"; copy the replyWith of the message being answered',
  ],
  "a reply addressed away from the initiator is reported": [
    "open",
    say(R, "m>w request; w>x inform"),
    'message 1: "inform" from "w" is addressed to "x", not to the initiator "m"',
  ],
  "a second request needs a new conversation": [
    "open",
    say(R, "m>w request; m>v request"),
    'message 1: a second "request" in one fipa-request conversation; start a new conversationId',
  ],
  "messages of another conversation or protocol, or without sender, are reported": [
    "open",
    [
      req("request", "m", "w"),
      talk(R, "c2")("inform", "w", "m"),
      query("inform", "w", "m"),
      { performative: "inform", sender: "w", receiver: ["m"], protocol: R },
      { performative: "inform", receiver: ["m"], protocol: R, conversationId: "c1" },
    ],
    `message 1: conversationId "c2" differs from the conversation's "c1"; check each conversation separately`,
    'message 2: "inform" names protocol "fipa-query", but this conversation follows "fipa-request"',
    `message 3: conversationId (none) differs from the conversation's "c1"; check each conversation separately`,
    'message 4: "inform" has no sender; the checker needs one to tell the initiator from participants',
  ],
  "a performative outside the protocol is reported": [
    "open",
    say(R, "m>w request; w>m subscribe"),
    'message 1: "subscribe" is not part of fipa-request, which uses "request", "agree", "refuse", "inform", "failure", "not-understood" and "cancel"',
  ],
  // fipa-query (SC00027)
  "query-if answered by inform completes": ["completed", say(Q, "a>b query-if; b>a inform")],
  "query-ref, agree, inform completes": [
    "completed",
    say(Q, "a>b query-ref; b>a agree; b>a inform"),
  ],
  "a refused query ends as failed": ["failed", say(Q, "a>b query-ref; b>a refuse")],
  "only the initiator may query": [
    "open",
    say(Q, "a>b query-if; b>a query-ref"),
    'message 1: "query-ref" from "b", but only the initiator "a" may send "query-ref" in fipa-query',
  ],
  "a query answered twice reports the second answer": [
    "completed",
    say(Q, "a>b query-if; b>a inform; b>a failure"),
    'message 2: "failure" from "b", who already sent the result; the exchange with "b" is over',
  ],
  // fipa-contract-net (SC00029) and its iterated form (SC00030)
  "a contract net: two proposals, one accepted, one rejected, the result informed": ["completed", [
    cn("cfp", "mgr", ["b1", "b2", "b3"], { replyBy: DEADLINE, replyWith: "cfp1" }),
    cn("propose", "b1", "mgr", { inReplyTo: "cfp1", replyWith: "p1" }),
    cn("propose", "b2", "mgr", { inReplyTo: "cfp1", replyWith: "p2" }),
    cn("refuse", "b3", "mgr", { inReplyTo: "cfp1" }),
    cn("accept-proposal", "mgr", "b1", { inReplyTo: "p1", replyWith: "a1" }),
    cn("reject-proposal", "mgr", "b2", { inReplyTo: "p2" }),
    cn("inform", "b1", "mgr", { inReplyTo: "a1" }),
  ]],
  "without send times deadlines are not judged": [
    "open",
    say(CN, cn("cfp", "mgr", "b1", { replyBy: "2000-01-01T00:00:00Z" }), "b1>mgr propose"),
  ],
  "accept-proposal to a refuser or to one who never proposed": [
    "open",
    say(CN, "mgr>b1,b2,b3 cfp; b1>mgr propose; b2>mgr refuse; mgr>b2,b3 accept-proposal"),
    'message 3: "accept-proposal" to "b2", who refused the cfp; the exchange with "b2" is over',
    'message 3: "accept-proposal" to "b3", who has not answered the cfp; fipa-contract-net now expects "propose" or "refuse" from "b3"',
  ],
  "inform from a rejected bidder is reported": [
    "completed",
    say(
      CN,
      "mgr>b1,b2 cfp; b1>mgr propose; b2>mgr propose; mgr>b1 accept-proposal; mgr>b2 reject-proposal; b2>mgr inform; b1>mgr inform",
    ),
    'message 5: "inform" from "b2", whose proposal was rejected; the exchange with "b2" is over',
  ],
  "a proposal from an agent that got no cfp is reported": [
    "open",
    say(CN, "mgr>b1 cfp; stranger>mgr propose"),
    'message 1: "propose" from "stranger", who received no "cfp" in this conversation',
  ],
  "once the initiator answers proposals, silent bidders are out of the round": [
    "completed",
    say(CN, "mgr>b1,b2 cfp; b1>mgr propose; mgr>b1 accept-proposal; b2>mgr propose; b1>mgr inform"),
    'message 3: "propose" from "b2", who did not answer the cfp before bidding closed; the exchange with "b2" is over',
  ],
  "an accepted bidder's failure ends the contract net as failed": [
    "failed",
    say(CN, "mgr>b1 cfp; b1>mgr propose; mgr>b1 accept-proposal; b1>mgr failure"),
  ],
  "the initiator may cancel an accepted contract": [
    "failed",
    say(CN, "mgr>b1 cfp; b1>mgr propose; mgr>b1 accept-proposal; mgr>b1 cancel; b1>mgr inform"),
  ],
  "an initiator may call each bidder with its own cfp, answers arriving meanwhile": ["completed", [
    ...say(CN, "mgr>b1 cfp; b1>mgr propose; mgr>b2 cfp; mgr>b3 cfp; b3>mgr refuse; b2>mgr propose"),
    ...say(CN, "mgr>b1 accept-proposal; mgr>b2 reject-proposal; b1>mgr inform"),
  ]],
  "a second cfp to a bidder already called is a second round, not the same call": [
    "open",
    say(CN, "mgr>b1 cfp; mgr>b2 cfp; mgr>b1 cfp"),
    'message 2: a second "cfp" in one fipa-contract-net conversation; start a new conversationId or "fipa-iterated-contract-net"',
  ],
  "calling ends with the initiator's first other move": [
    "open",
    say(CN, "mgr>b1 cfp; b1>mgr propose; mgr>b1 accept-proposal; mgr>b2 cfp"),
    'message 3: a second "cfp" in one fipa-contract-net conversation; start a new conversationId or "fipa-iterated-contract-net"',
  ],
  "a request protocol has one participant: a second request is not a call": [
    "open",
    say(R, "m>w request; m>v request"),
    'message 1: a second "request" in one fipa-request conversation; start a new conversationId',
  ],
  "plain fipa-contract-net has one round": [
    "failed",
    say(CN, "mgr>b1 cfp; b1>mgr propose; mgr>b1 reject-proposal; mgr>b1 cfp"),
    'message 3: a second "cfp" in one fipa-contract-net conversation; start a new conversationId or "fipa-iterated-contract-net"',
  ],
  "a new round waits until every proposal is answered": [
    "open",
    say(ICN, "mgr>b1,b2 cfp; b1>mgr propose; b2>mgr propose; mgr>b1 reject-proposal; mgr>b1 cfp"),
    'message 4: "cfp" opens round 2 while "b2" still awaits an answer from the initiator; answer it first',
  ],
  "a new round may not call a bidder still carrying out an accepted proposal": [
    "open",
    say(
      ICN,
      "mgr>b1,b2 cfp; b1>mgr propose; b2>mgr propose",
      "mgr>b1 accept-proposal; mgr>b2 reject-proposal",
      "mgr>b1,b2 cfp; b2>mgr propose",
    ),
    'message 5: "cfp" to "b1", whose proposal was accepted and who owes the result; a new round may only address participants whose exchange has ended',
  ],
  "a new round may call again a bidder who stayed silent": [
    "open",
    say(ICN, "mgr>b1,b2 cfp; b1>mgr refuse; mgr>b2 cfp; b2>mgr propose"),
  ],
  "the initiator's inReplyTo must echo a proposal's replyWith": [
    "open",
    say(
      CN,
      "mgr>b1 cfp",
      cn("propose", "b1", "mgr", { replyWith: "p1" }),
      cn("accept-proposal", "mgr", "b1", { inReplyTo: "p2" }),
    ),
    'message 2: "accept-proposal" has inReplyTo "p2", which matches no replyWith from "b1"; copy the replyWith of the message being answered',
  ],
};

for (const [name, [state, messages, ...reasons]] of Object.entries(CASES)) {
  Deno.test(name, () => {
    const check = checkConversation(messages);
    assert.deepEqual(check.violations.map((v) => v.reason), reasons);
    for (const v of check.violations) {
      assert.equal(v.message, messages[v.index]);
      assert.ok(v.reason.startsWith(`message ${v.index}: `));
    }
    assert.equal(check.ok, reasons.length === 0);
    assert.equal(check.state, state);
  });
}

Deno.test("a proposal after the cfp deadline is late; one before it is not", () => {
  const messages = say(
    CN,
    cn("cfp", "mgr", ["bidder-1", "bidder-7"], { replyBy: DEADLINE }),
    "bidder-1>mgr propose",
    "bidder-7>mgr propose",
  );
  const check = checkConversation(messages, {
    sentAt: (_, i) => i < 2 ? BEFORE : Date.parse(DEADLINE) + 5_000,
  });
  assert.deepEqual(check.violations.map((v) => v.reason), [
    `message 2: "propose" from "bidder-7" at 2026-03-01T12:00:05.000Z, after the "cfp" deadline ${DEADLINE}; answers must arrive by its replyBy`,
  ]);
});

Deno.test("a conversation without a protocol is not checked", () => {
  const loose = talk(undefined);
  assert.deepEqual(checkConversation([loose("inform", "a", "b"), loose("cfp", "b", "a")]), {
    ok: true,
    protocol: null,
    violations: [],
    state: "open",
  });
});

Deno.test("an unknown protocol is one violation on the first message", () => {
  for (const name of ["fipa-reqest", "toString"]) {
    const named = talk(name);
    const check = checkConversation([named("request", "a", "b"), named("inform", "b", "a")]);
    assert.equal(check.ok, false);
    assert.equal(check.protocol, null);
    assert.deepEqual(check.violations.map((v) => v.reason), [
      `message 0: unknown protocol "${name}"; use one of "fipa-request", "fipa-query", "fipa-contract-net" or "fipa-iterated-contract-net", or omit "protocol" to leave the conversation unchecked`,
    ]);
  }
});

Deno.test("an iterated contract net that rejected everyone is failed until the next round", () => {
  const checker = new ProtocolChecker();
  checker.observe(icn("cfp", "mgr", "b1"));
  checker.observe(icn("propose", "b1", "mgr"));
  checker.observe(icn("reject-proposal", "mgr", "b1"));
  assert.equal(checker.result().state, "failed");
  checker.observe(icn("cfp", "mgr", "b1"));
  assert.equal(checker.result().state, "open");
});

Deno.test("a contract net with 150 participants over 2 rounds completes without violations", () => {
  const bidders = Array.from({ length: 150 }, (_, i) => `bidder-${i}`);
  const [round1, round2] = ["2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z"];
  const messages = [icn("cfp", "mgr", bidders, { replyBy: round1, replyWith: "cfp-1" })];
  for (const [i, b] of bidders.entries()) {
    const answer = i % 3 === 0 ? "refuse" : "propose";
    messages.push(icn(answer, b, "mgr", { inReplyTo: "cfp-1", replyWith: `${b}-1` }));
  }
  const proposers = bidders.filter((_, i) => i % 3 !== 0);
  for (const b of proposers) {
    messages.push(icn("reject-proposal", "mgr", b, { inReplyTo: `${b}-1` }));
  }
  const finalists = proposers.slice(0, 10);
  messages.push(icn("cfp", "mgr", finalists, { replyBy: round2, replyWith: "cfp-2" }));
  for (const b of finalists) {
    messages.push(icn("propose", b, "mgr", { inReplyTo: "cfp-2", replyWith: `${b}-2` }));
  }
  const [winner, ...others] = finalists as [string, ...string[]];
  messages.push(
    icn("accept-proposal", "mgr", winner, { inReplyTo: `${winner}-2`, replyWith: "go" }),
  );
  messages.push(icn("reject-proposal", "mgr", others));
  messages.push(icn("inform", winner, "mgr", { inReplyTo: "go" }));
  const check = checkConversation(messages, {
    sentAt: (m) => Date.parse(m.replyWith?.endsWith("-1") ? round1 : round2) - 60_000,
  });
  assert.deepEqual(check.violations, []);
  assert.deepEqual(
    [check.ok, check.protocol, check.state],
    [true, "fipa-iterated-contract-net", "completed"],
  );
});

Deno.test("observe reports each message's violations as it arrives, with its time", () => {
  const checker = new ProtocolChecker();
  assert.deepEqual(checker.observe(cn("cfp", "mgr", ["b1", "b2"], { replyBy: DEADLINE })), []);
  assert.deepEqual(checker.observe(cn("propose", "b1", "mgr"), { at: BEFORE }), []);
  const late = checker.observe(cn("propose", "b2", "mgr"), { at: Date.parse(DEADLINE) + 1 });
  assert.equal(late.length, 1);
  assert.equal(late[0]!.index, 2);
  assert.match(late[0]!.reason, /^message 2: "propose" from "b2" at .* after the "cfp" deadline/);
  assert.deepEqual(checker.observe(cn("accept-proposal", "mgr", "b1")), []);
  assert.deepEqual(checker.observe(cn("inform", "b1", "mgr")), []);
  const result = checker.result();
  assert.deepEqual([result.ok, result.state, result.violations], [false, "completed", late]);
});
