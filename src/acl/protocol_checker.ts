/**
 * Checks one conversation's messages, in order, against the FIPA interaction
 * protocol named by its first message. Pure logic: no clock, no I/O; callers
 * say when each message was sent so `replyBy` deadlines can be judged.
 *
 * Decisions worth knowing:
 * - The first message fixes the `protocol` and `conversationId`; the sender
 *   of the first opening message (a `request`, a `cfp`) is the initiator.
 * - A conversation whose first message names no protocol is not checked: ok,
 *   `protocol: null`, state "open". A protocol name the checker does not know
 *   is one violation ("unknown protocol") on that message; later messages are
 *   not checked.
 * - A message that breaks the protocol is reported and does not move the
 *   conversation on. An initiator message to several receivers moves on the
 *   exchanges it was valid for and reports the others, one violation each.
 * - state: "open" while any exchange still expects a message; "completed"
 *   when every exchange has ended and at least one delivered a result
 *   (`inform`); "failed" when all ended without one (refused, failure,
 *   not-understood, cancelled, rejected). An iterated contract net that has
 *   rejected everyone is "failed" until the initiator opens the next round.
 */
import type { AclMessage, Performative } from "./message.ts";
import {
  type InteractionProtocol,
  type ProtocolMove,
  PROTOCOLS,
  type ProtocolStep,
} from "./protocols.ts";

/** Where a conversation stands; see the module notes for the exact rules. */
export type ConversationState = "open" | "completed" | "failed";

/** One message that broke the protocol; `index` counts from 0 in arrival order. */
export interface ProtocolViolation {
  index: number;
  message: AclMessage;
  reason: string;
}

/** The verdict on a conversation so far. */
export interface ConversationCheck {
  ok: boolean;
  protocol: string | null;
  violations: ProtocolViolation[];
  state: ConversationState;
}

/** Options for {@linkcode ProtocolChecker.observe}. */
export interface ObserveOptions {
  /** When the message was sent, in ms since the epoch; without it deadlines are not judged. */
  at?: number;
}

/** Options for {@linkcode checkConversation}. */
export interface CheckConversationOptions {
  /** When each message was sent, in ms since the epoch; without it deadlines are not judged. */
  sentAt?: (message: AclMessage, index: number) => number | undefined;
}

// Why a message breaks the protocol; nothing when it is a valid next step.
type _Reasons = string | string[] | undefined;

interface _Exchange {
  step: string;
  /** The round that opened this exchange. */
  round: number;
  deadline?: { ms: number; text: string };
  replyTo: readonly string[];
  /** `replyWith` values the initiator sent to this participant, and those it sent back. */
  sent: Set<string>;
  heard: Set<string>;
}

/**
 * Follows one conversation message by message, e.g. inside a router, and says
 * at once which messages break its protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProtocolChecker } from "./protocol_checker.ts";
 *
 * const checker = new ProtocolChecker();
 * const base = { protocol: "fipa-request", conversationId: "c1" };
 * checker.observe({ ...base, performative: "request", sender: "a", receiver: ["b"] });
 * const [wrong] = checker.observe({ ...base, performative: "inform", sender: "a", receiver: ["b"] });
 * assert.match(wrong!.reason, /only the participant may send "inform"/);
 * checker.observe({ ...base, performative: "inform", sender: "b", receiver: ["a"] });
 * assert.equal(checker.result().state, "completed");
 * ```
 */
export class ProtocolChecker {
  #count = 0;
  #protocolName: string | null = null;
  #protocol: InteractionProtocol | undefined;
  #opening = ""; // the opening performatives, quoted, for reasons
  #moves: ProtocolMove[] = []; // every move of the protocol, openings included
  #conversationId: string | undefined;
  #initiator: string | undefined;
  #round = 0;
  /**
   * True from an opening message until the initiator's next other move: more
   * opening messages to participants not yet called join the same round (an
   * initiator may call its participants one message each).
   */
  #calling = false;
  readonly #exchanges = new Map<string, _Exchange>();
  readonly #violations: ProtocolViolation[] = [];

  /** Checks the next message of the conversation and returns its violations (often none). */
  observe(message: AclMessage, options: ObserveOptions = {}): ProtocolViolation[] {
    const index = this.#count++;
    const found = [this.#judge(message, index, options.at) ?? []].flat().map((reason) => ({
      index,
      message,
      reason: `message ${index}: ${reason}`,
    }));
    this.#violations.push(...found);
    return found;
  }

  /** The verdict on every message observed so far. */
  result(): ConversationCheck {
    return {
      ok: this.#violations.length === 0,
      protocol: this.#protocol ? this.#protocolName : null,
      violations: [...this.#violations],
      state: this.#state(),
    };
  }

  // Each check returns the reasons the message breaks the protocol; none: it moved on.
  #judge(message: AclMessage, index: number, at?: number): _Reasons {
    const { performative: p, sender, protocol: named, conversationId: id } = message;
    if (index === 0) {
      this.#conversationId = id;
      if (named === undefined) return;
      this.#protocolName = named;
      if (!Object.hasOwn(PROTOCOLS, named)) {
        const known = _list(Object.keys(PROTOCOLS), "or");
        return `unknown protocol "${named}"; use one of ${known}, or omit "protocol" to leave the conversation unchecked`;
      }
      const protocol = this.#protocol = PROTOCOLS[named]!;
      this.#opening = _list(protocol.opens, "or");
      this.#moves = [
        ...protocol.opens.map((p): ProtocolMove => ({ performative: p, by: "initiator", to: "" })),
        ...Object.values(protocol.steps).flatMap((step) => step.moves),
      ];
    }
    const protocol = this.#protocol;
    if (!protocol) return;
    if (id !== this.#conversationId) {
      const [got, want] = [_quote(id), _quote(this.#conversationId)];
      return `conversationId ${got} differs from the conversation's ${want}; check each conversation separately`;
    }
    if (named !== undefined && named !== protocol.name) {
      return `"${p}" names protocol "${named}", but this conversation follows "${protocol.name}"`;
    }
    if (sender === undefined) {
      return `"${p}" has no sender; the checker needs one to tell the initiator from participants`;
    }
    const moves = this.#moves.filter((m) => m.performative === p);
    if (moves.length === 0) {
      const used = _list([...new Set(this.#moves.map((m) => m.performative))], "and");
      return `"${p}" is not part of ${protocol.name}, which uses ${used}`;
    }
    if (this.#initiator === undefined) {
      if (!protocol.opens.includes(p)) {
        return `"${p}" from "${sender}" before any ${this.#opening}; ${protocol.name} opens with ${this.#opening} from the initiator`;
      }
      this.#initiator = sender;
    }
    const role = sender === this.#initiator ? "initiator" : "participant";
    if (!moves.some((m) => m.by === role)) {
      const only = role === "initiator" ? "the participant" : `the initiator "${this.#initiator}"`;
      return `"${p}" from "${sender}", but only ${only} may send "${p}" in ${protocol.name}`;
    }
    if (protocol.opens.includes(p)) return this.#open(protocol, message);
    return role === "initiator"
      ? this.#fromInitiator(protocol, message)
      : this.#fromParticipant(protocol, message, at);
  }

  #open(protocol: InteractionProtocol, message: AclMessage): _Reasons {
    const p = message.performative;
    const joins = this.#calling && protocol.participants === "many" &&
      message.receiver.every((name) => this.#exchanges.get(name)?.round !== this.#round);
    if (joins) return this.#call(protocol, message, message.receiver);
    if (this.#round > 0 && protocol.rounds === "one") {
      const iterated = protocol.name === "fipa-contract-net"
        ? ' or "fipa-iterated-contract-net"'
        : "";
      return `a second "${p}" in one ${protocol.name} conversation; start a new conversationId${iterated}`;
    }
    const waiting = [...this.#exchanges].filter(([, e]) => _initiatorsTurn(protocol.steps[e.step]));
    if (waiting.length > 0) {
      const [names, round] = [_list(waiting.map(([name]) => name), "and"), this.#round + 1];
      const [verb, them] = waiting.length === 1 ? ["awaits", "it"] : ["await", "them"];
      return `"${p}" opens round ${round} while ${names} still ${verb} an answer from the initiator; answer ${them} first`;
    }
    const reasons: string[] = [];
    const called: string[] = [];
    for (const name of message.receiver) {
      const exchange = this.#exchanges.get(name);
      const step = exchange && protocol.steps[exchange.step];
      if (step && !step.outcome && !step.deadline) {
        const rule = "a new round may only address participants whose exchange has ended";
        reasons.push(`"${p}" to "${name}", ${step.describe}; ${rule}`);
      } else called.push(name);
    }
    if (called.length === 0) return reasons;
    this.#closeDeadlines(protocol);
    this.#round++;
    this.#call(protocol, message, called);
    return reasons;
  }

  /** Opens an exchange with each of `called` in the current round. */
  #call(protocol: InteractionProtocol, message: AclMessage, called: readonly string[]): _Reasons {
    this.#calling = true;
    const { replyBy, replyWith } = message;
    const ms = replyBy === undefined ? NaN : Date.parse(replyBy);
    for (const name of called) {
      this.#exchanges.set(name, {
        step: protocol.start,
        round: this.#round,
        deadline: Number.isNaN(ms) ? undefined : { ms, text: replyBy! },
        replyTo: message.replyTo ?? [],
        sent: new Set(replyWith === undefined ? [] : [replyWith]),
        heard: new Set(),
      });
    }
    return undefined;
  }

  #fromInitiator(protocol: InteractionProtocol, message: AclMessage): _Reasons {
    this.#calling = false;
    const { performative: p, inReplyTo, replyWith, receiver } = message;
    if (
      inReplyTo !== undefined &&
      !receiver.some((name) => this.#exchanges.get(name)?.heard.has(inReplyTo))
    ) {
      const from = _list(receiver, "or");
      return `"${p}" has inReplyTo "${inReplyTo}", which matches no replyWith from ${from}; copy the replyWith of the message being answered`;
    }
    const reasons: string[] = [];
    let moved = false;
    for (const name of receiver) {
      const exchange = this.#exchanges.get(name);
      if (!exchange) {
        reasons.push(`"${p}" to "${name}", who received no ${this.#opening} in this conversation`);
        continue;
      }
      const step = protocol.steps[exchange.step]!;
      const move = step.moves.find((m) => m.performative === p && m.by === "initiator");
      if (!move) {
        reasons.push(`"${p}" to "${name}", ${step.describe}; ${_expected(protocol, step, name)}`);
        continue;
      }
      exchange.step = move.to;
      if (replyWith !== undefined) exchange.sent.add(replyWith);
      moved = true;
    }
    if (moved) this.#closeDeadlines(protocol, p);
    return reasons;
  }

  #fromParticipant(protocol: InteractionProtocol, message: AclMessage, at?: number): _Reasons {
    const { performative: p, inReplyTo, receiver } = message;
    const sender = message.sender!; // #judge has checked it
    const exchange = this.#exchanges.get(sender);
    if (!exchange) {
      return `"${p}" from "${sender}", who received no ${this.#opening} in this conversation`;
    }
    const step = protocol.steps[exchange.step]!;
    const move = step.moves.find((m) => m.performative === p && m.by === "participant");
    if (!move) {
      return `"${p}" from "${sender}", ${step.describe}; ${_expected(protocol, step, sender)}`;
    }
    const deadline = step.deadline && exchange.deadline;
    if (deadline && at !== undefined && at > deadline.ms) {
      const when = new Date(at).toISOString();
      return `"${p}" from "${sender}" at ${when}, after the ${this.#opening} deadline ${deadline.text}; answers must arrive by its replyBy`;
    }
    const initiator = this.#initiator!;
    if (!receiver.some((name) => name === initiator || exchange.replyTo.includes(name))) {
      const to = _list(receiver, "and");
      return `"${p}" from "${sender}" is addressed to ${to}, not to the initiator "${initiator}"`;
    }
    if (inReplyTo !== undefined && !exchange.sent.has(inReplyTo)) {
      return `"${p}" from "${sender}" has inReplyTo "${inReplyTo}", which matches no replyWith the initiator sent to "${sender}"; copy the replyWith of the message being answered`;
    }
    exchange.step = move.to;
    if (message.replyWith !== undefined) exchange.heard.add(message.replyWith);
  }

  // Once the initiator starts judging answers (or opens a new round), whoever
  // has not answered by then is out of this round.
  #closeDeadlines(protocol: InteractionProtocol, by?: Performative): void {
    for (const exchange of this.#exchanges.values()) {
      const deadline = protocol.steps[exchange.step]?.deadline;
      if (deadline && (by === undefined || deadline.closedBy.includes(by))) {
        exchange.step = deadline.expired;
      }
    }
  }

  #state(): ConversationState {
    const protocol = this.#protocol;
    if (!protocol || this.#exchanges.size === 0) return "open";
    let delivered = false;
    for (const exchange of this.#exchanges.values()) {
      const outcome = protocol.steps[exchange.step]?.outcome;
      if (!outcome) return "open";
      if (outcome === "success") delivered = true;
    }
    return delivered ? "completed" : "failed";
  }
}

/**
 * Checks one conversation's messages, in order, against its protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConversation } from "./protocol_checker.ts";
 *
 * const check = checkConversation([
 *   { performative: "inform", sender: "b", receiver: ["a"], protocol: "fipa-request" },
 * ]);
 * assert.equal(check.ok, false);
 * assert.match(check.violations[0]!.reason, /before any "request"/);
 * ```
 */
export function checkConversation(
  messages: readonly AclMessage[],
  options: CheckConversationOptions = {},
): ConversationCheck {
  const checker = new ProtocolChecker();
  messages.forEach((message, index) => {
    checker.observe(message, { at: options.sentAt?.(message, index) });
  });
  return checker.result();
}

// A step where the next word is the initiator's (other than cancelling).
function _initiatorsTurn(step: ProtocolStep | undefined): boolean {
  return step?.moves.some((m) => m.by === "initiator" && m.performative !== "cancel") ?? false;
}

function _expected(protocol: InteractionProtocol, step: ProtocolStep, name: string): string {
  if (step.moves.length === 0) return `the exchange with "${name}" is over`;
  const usual = step.moves.filter((m) =>
    m.performative !== "cancel" && m.performative !== "not-understood"
  );
  const moves = usual.length > 0 ? usual : step.moves;
  const parts: string[] = [];
  for (
    const [role, who] of [["participant", `"${name}"`], ["initiator", "the initiator"]] as const
  ) {
    const ps = moves.filter((m) => m.by === role).map((m) => m.performative);
    if (ps.length > 0) parts.push(`${_list(ps, "or")} from ${who}`);
  }
  return `${protocol.name} now expects ${parts.join(" or ")}`;
}

function _quote(value: string | undefined): string {
  return value === undefined ? "(none)" : `"${value}"`;
}

// `"a", "b" or "c"`; long lists are cut so a reason stays one readable line.
function _list(items: readonly string[], word: "and" | "or"): string {
  const shown = items.slice(0, 10).map((item) => `"${item}"`);
  if (items.length > 10) return `${shown.join(", ")} ${word} ${items.length - 10} more`;
  const last = shown.pop()!;
  return shown.length > 0 ? `${shown.join(", ")} ${word} ${last}` : last;
}
