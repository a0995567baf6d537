/**
 * What running agent code produced, made real: state writes persisted (with
 * whatever must commit beside them), capabilities recorded, log lines logged
 * with the agent's name (and trace ids), sent messages routed — or answered
 * with `not-understood` when they are not valid ACL, and with `failure`
 * (`too_many_receivers`) when they name more receivers than the node allows.
 */
import {
  type AclMessage,
  DEFAULT_MAX_RECEIVERS,
  parseAclJson,
  toAclMessage,
  TooManyReceiversError,
} from "../acl/mod.ts";
import type { Envelope, Router } from "../router/mod.ts";
import type { Effects, TimerChange } from "../runtime/mod.ts";
import type { CapabilityRecord, Store } from "../store/mod.ts";
import { LOG_LEVELS, type Logger } from "../telemetry/mod.ts";
import type { LiveAgent } from "./live_agent.ts";

/** Where timers agents set are written (src/timers), inside the message's transaction. */
export interface TimerSink {
  /** Returns how many timers were refused over the agent's limit. */
  apply(agentId: number, agent: string, changes: readonly TimerChange[]): number;
  /** Called after the commit: re-arm for an earlier timer. */
  wake(): void;
}

/**
 * Where the node's capability directory learns what each agent declares
 * (src/directory); whether a provider is live it asks the manager at search time.
 */
export interface DirectoryListing {
  set(agent: string, capabilities: readonly CapabilityRecord[]): void;
  remove(agent: string): void;
  /** Until `complete` has run, a read of the directory runs it first (a restart's refill). */
  loadFirst?(complete: (() => void) | undefined): void;
}

/** Whether every capability is a bare name the agent has already (nothing would change). */
function _known(live: LiveAgent, declared: Effects["capabilities"]): boolean {
  return declared.every((c) =>
    Object.keys(c).length === 1 && live.record.capabilities.includes(c.name)
  );
}

/** Applies agents' effects for the manager. */
export class AgentEffects {
  readonly #store: Store;
  readonly #router: Router;
  readonly #log: Logger;
  readonly #maxReceivers: number;
  readonly #directory: DirectoryListing | undefined;
  readonly #timers: TimerSink | undefined;

  constructor(
    store: Store,
    router: Router,
    log: Logger,
    options: { maxReceivers?: number; directory?: DirectoryListing; timers?: TimerSink } = {},
  ) {
    this.#timers = options.timers;
    this.#store = store;
    this.#router = router;
    this.#log = log;
    this.#maxReceivers = options.maxReceivers ?? DEFAULT_MAX_RECEIVERS;
    this.#directory = options.directory;
  }

  /**
   * Persists and routes what agent code produced. `alongState` runs in the
   * state's transaction; `cause` is the message being handled; `handledAs` the
   * traceparent of its handle span, which its sends and log lines carry.
   */
  apply(
    live: LiveAgent,
    effects: Effects,
    alongState?: () => void,
    cause?: Envelope,
    handledAs?: string,
  ): boolean {
    const store = this.#store;
    const timers = effects.timers;
    const transacted = effects.stateChanges.length > 0 || timers !== undefined;
    if (transacted) {
      // Timers commit with the state of the message that set them (docs/TIMERS.md).
      let refused = 0;
      store.transaction(() => {
        store.state.apply(live.record.id, effects.stateChanges);
        if (timers && this.#timers) {
          refused = this.#timers.apply(live.record.id, live.record.name, timers);
        }
        alongState?.();
      });
      if (timers) this.#timers?.wake();
      if (refused > 0) this.#timerLimit(live, refused, cause);
    }
    // caxton_init registers the same names at every activation (issue 21): write only a change.
    if (effects.capabilities.length > 0 && !_known(live, effects.capabilities)) {
      // By name: a later declaration replaces an earlier one, so a description can change;
      // a bare name (caxton_init again after a restart) keeps what a deployment declared.
      const byName = new Map(live.record.capabilityDetails.map((c) => [c.name, c]));
      for (const declared of effects.capabilities) {
        const bare = Object.keys(declared).length === 1;
        if (!bare || !byName.has(declared.name)) byName.set(declared.name, declared);
      }
      this.setCapabilities(live, [...byName.values()]);
    }
    for (const line of effects.logs) {
      this.#log.log(
        LOG_LEVELS[line.level] ?? "info",
        line.text,
        handledAs
          ? {
            "caxton.agent.name": live.record.name,
            source: "agent",
            trace_id: handledAs.slice(3, 35),
            span_id: handledAs.slice(36, 52),
          }
          : { "caxton.agent.name": live.record.name, source: "agent" },
      );
    }
    for (const text of effects.sends) {
      live.counters.sent++;
      let message: AclMessage;
      try {
        message = toAclMessage(JSON.parse(text), { maxReceivers: this.#maxReceivers });
      } catch (error) {
        if (error instanceof TooManyReceiversError) this.#tooMany(live, error, cause);
        else this.#notUnderstood(live, (error as Error).message, cause);
        continue;
      }
      if (handledAs) message.traceparent = handledAs;
      this.#router.route(message, cause);
    }
    return transacted;
  }

  /** Timers over the agent's limit were not set: the agent hears it from `caxton`. */
  #timerLimit(live: LiveAgent, refused: number, cause?: Envelope): void {
    const reply: AclMessage = {
      performative: "failure",
      sender: "caxton",
      receiver: [live.record.name],
      content: {
        code: "timer_limit",
        reason: `${refused} timer(s) not set: the agent has as many pending timers as it may`,
      },
    };
    this.#router.route(reply, cause);
  }

  /** Persists the agent's whole list of capabilities and tells the directory. */
  setCapabilities(live: LiveAgent, details: CapabilityRecord[]): void {
    this.#store.agents.setCapabilities(live.record.id, details);
    live.record = {
      ...live.record,
      capabilities: details.map((c) => c.name),
      capabilityDetails: details,
    };
    this.#directory?.set(live.record.name, details);
  }

  /** The message was valid but goes nowhere: the sender hears why, as from any failed delivery. */
  #tooMany(live: LiveAgent, error: TooManyReceiversError, cause?: Envelope): void {
    const sent = error.rejected;
    const reply: AclMessage = {
      performative: "failure",
      sender: "caxton",
      receiver: [live.record.name],
      content: { code: error.code, reason: error.message, limit: error.limit },
    };
    if (sent.conversationId) reply.conversationId = sent.conversationId;
    if (sent.replyWith) reply.inReplyTo = sent.replyWith;
    if (sent.protocol) reply.protocol = sent.protocol;
    this.#router.route(reply, cause);
  }

  #notUnderstood(live: LiveAgent, reason: string, cause?: Envelope): void {
    const reply: AclMessage = {
      performative: "not-understood",
      sender: "caxton",
      receiver: [live.record.name],
      content: { reason },
    };
    this.#router.route(reply, cause);
  }
}

/** Parses a message a worker reported (it was valid when sent), or undefined. */
export function parseReported(text: string | undefined): AclMessage | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAclJson(text, { maxReceivers: Infinity });
  } catch {
    return undefined;
  }
}
