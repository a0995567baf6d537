/**
 * The FIPA interaction protocols Caxton checks conversations against, as data.
 *
 * A protocol is a small state machine run once per participant: the
 * initiator's opening message (a `request`, a `cfp`, …) starts one exchange
 * with each receiver, and every later message moves the exchange of the
 * participant it is sent by or to from one step to the next. The checker in
 * `protocol_checker.ts` interprets these tables; nothing here has behaviour.
 */
import type { Performative } from "./message.ts";

/** Who sends a move: the agent that opened the conversation, or one it addressed. */
export type ProtocolRole = "initiator" | "participant";

/** One allowed message: `by` may send `performative`, which leads to step `to`. */
export interface ProtocolMove {
  readonly performative: Performative;
  readonly by: ProtocolRole;
  readonly to: string;
}

/** Where one participant's exchange stands, and what may happen next. */
export interface ProtocolStep {
  /** Completes `"inform" from "b3", …` in a violation reason: "whose proposal was rejected". */
  readonly describe: string;
  /** Set on the steps that end the exchange: did it deliver what was asked? */
  readonly outcome?: "success" | "failure";
  /**
   * Replies in this step must arrive by the opening message's `replyBy`. Once
   * the initiator sends one of `closedBy` (it has started judging the answers),
   * every exchange still in this step moves to `expired`.
   */
  readonly deadline?: { readonly closedBy: readonly Performative[]; readonly expired: string };
  readonly moves: readonly ProtocolMove[];
}

/** A FIPA interaction protocol, named as in the `protocol` message parameter. */
export interface InteractionProtocol {
  readonly name: string;
  /** The FIPA specification that defines it, e.g. "SC00026". */
  readonly spec: string;
  /** What the initiator may open an exchange with; the first step is `start`. */
  readonly opens: readonly Performative[];
  readonly start: string;
  /** "many": after every open proposal is answered, a new opening starts another round. */
  readonly rounds: "one" | "many";
  /**
   * "many": one initiator calls several participants (Contract Net), with one
   * message to all or one message each; "one": a single participant.
   */
  readonly participants: "one" | "many";
  readonly steps: Readonly<Record<string, ProtocolStep>>;
}

const _by = (by: ProtocolRole) => (performative: Performative, to: string): ProtocolMove => ({
  performative,
  by,
  to,
});
const _initiator = _by("initiator");
const _participant = _by("participant");

// Every FIPA protocol embeds the cancel meta-protocol: the initiator may cancel
// an exchange still under way; the participant confirms with `inform` or says
// with `failure` that it could not.
const _CANCEL = _initiator("cancel", "cancelling");

function _endings(subject: string): Record<string, ProtocolStep> {
  return {
    "cancelling": {
      describe: "who was asked to cancel",
      moves: [
        _participant("inform", "cancelled"),
        _participant("failure", "failed"),
        _participant("not-understood", "not-understood"),
      ],
    },
    "cancelled": { describe: `whose ${subject} was cancelled`, outcome: "failure", moves: [] },
    "done": { describe: "who already sent the result", outcome: "success", moves: [] },
    "failed": { describe: "who already reported failure", outcome: "failure", moves: [] },
    "refused": { describe: `who refused the ${subject}`, outcome: "failure", moves: [] },
    "not-understood": {
      describe: "whose exchange ended in not-understood",
      outcome: "failure",
      moves: [],
    },
  };
}

// Request and query share one shape (SC00026 and SC00027): refuse, or an
// optional agree followed by the result or a failure.
function _askAndAnswer(
  name: string,
  spec: string,
  opens: readonly Performative[],
  subject: string,
): InteractionProtocol {
  return {
    name,
    spec,
    opens,
    start: "asked",
    rounds: "one",
    participants: "one",
    steps: {
      "asked": {
        describe: `who has not answered the ${subject}`,
        moves: [
          _participant("agree", "agreed"),
          _participant("refuse", "refused"),
          _participant("inform", "done"),
          _participant("failure", "failed"),
          _participant("not-understood", "not-understood"),
          _CANCEL,
        ],
      },
      "agreed": {
        describe: "who agreed and owes the result",
        moves: [_participant("inform", "done"), _participant("failure", "failed"), _CANCEL],
      },
      ..._endings(subject),
    },
  };
}

function _contractNet(name: string, spec: string, rounds: "one" | "many"): InteractionProtocol {
  return {
    name,
    spec,
    opens: ["cfp"],
    start: "called",
    participants: "many",
    rounds,
    steps: {
      "called": {
        describe: "who has not answered the cfp",
        deadline: { closedBy: ["accept-proposal", "reject-proposal"], expired: "unanswered" },
        moves: [
          _participant("propose", "proposed"),
          _participant("refuse", "refused"),
          _participant("not-understood", "not-understood"),
          _CANCEL,
        ],
      },
      "proposed": {
        describe: "whose proposal awaits an answer",
        moves: [
          _initiator("accept-proposal", "accepted"),
          _initiator("reject-proposal", "rejected"),
          _initiator("not-understood", "not-understood"),
        ],
      },
      "accepted": {
        describe: "whose proposal was accepted and who owes the result",
        moves: [
          _participant("inform", "done"),
          _participant("failure", "failed"),
          _participant("not-understood", "not-understood"),
          _CANCEL,
        ],
      },
      "rejected": { describe: "whose proposal was rejected", outcome: "failure", moves: [] },
      "unanswered": {
        describe: "who did not answer the cfp before bidding closed",
        outcome: "failure",
        moves: [],
      },
      ..._endings("cfp"),
    },
  };
}

/** The protocols the checker knows, by the name used in the `protocol` parameter. */
export const PROTOCOLS: Readonly<Record<string, InteractionProtocol>> = {
  "fipa-request": _askAndAnswer("fipa-request", "SC00026", ["request"], "request"),
  "fipa-query": _askAndAnswer("fipa-query", "SC00027", ["query-if", "query-ref"], "query"),
  "fipa-contract-net": _contractNet("fipa-contract-net", "SC00029", "one"),
  "fipa-iterated-contract-net": _contractNet("fipa-iterated-contract-net", "SC00030", "many"),
};
