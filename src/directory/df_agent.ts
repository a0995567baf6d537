/**
 * The directory facilitator (FIPA SC00023) at the reserved address `df`:
 * agents discover each other in-band by sending it a `request` whose content
 * (JSON, or JSON text) names an action — `search`, `register` or
 * `deregister` (docs/DISCOVERY.md). It answers `inform` with the result,
 * `refuse` with `{ code, reason }` when the request cannot be done, and
 * `not-understood` to anything else that asks; answers sent to it (inform,
 * failure…) are taken and not answered, so an echoing agent cannot loop with it.
 */
import type { AclMessage, Performative } from "../acl/mod.ts";
import type { Envelope, Router } from "../router/mod.ts";
import { type CapabilityDeclaration, parseCapability } from "../runtime/mod.ts";
import type { CapabilityIndex } from "./capability_index.ts";
import { InvalidSearchError, parseSearch, type RawSearch } from "./search_query.ts";

/** The reserved address of the directory facilitator. */
export const DF_ADDRESS = "df";
/** The ontology of the directory's content language. */
export const DF_ONTOLOGY = "caxton-df";

/** Performatives that answer something: `df` takes them and says nothing back. */
const _ANSWERS: ReadonlySet<Performative> = new Set<Performative>([
  "inform",
  "inform-if",
  "inform-ref",
  "confirm",
  "disconfirm",
  "agree",
  "refuse",
  "failure",
  "not-understood",
  "accept-proposal",
  "reject-proposal",
  "propose",
  "cancel",
]);

/** What `df` needs from the agents of the node. */
export interface DirectoryAgents {
  /** Whether `name` is an agent of this node (only agents register). */
  has(name: string): boolean;
  declareCapability(name: string, capability: CapabilityDeclaration): void;
  withdrawCapability(name: string, capability: string): boolean;
}

/** The `df` endpoint: attach it to a router. */
export class DirectoryFacilitator {
  readonly #router: Router;
  readonly #index: CapabilityIndex;
  readonly #agents: DirectoryAgents;

  constructor(router: Router, index: CapabilityIndex, agents: DirectoryAgents) {
    this.#router = router;
    this.#index = index;
    this.#agents = agents;
  }

  /** Makes `df` reachable; dispose to detach it. */
  attach(): Disposable {
    const endpoint = {
      // Answered after the sender's route() returns, as any other receiver would.
      enqueue: (envelope: Envelope) => queueMicrotask(() => this.#answer(envelope.message)),
    };
    this.#router.attach(DF_ADDRESS, endpoint);
    return { [Symbol.dispose]: () => this.#router.detach(DF_ADDRESS, endpoint) };
  }

  #answer(message: AclMessage): void {
    if (_ANSWERS.has(message.performative)) return;
    if (message.performative !== "request") {
      this.#reply(message, "not-understood", {
        reason:
          `df answers "request" (search, register, deregister), not "${message.performative}"`,
      });
      return;
    }
    const content = _content(message.content);
    if (typeof content === "string") {
      this.#reply(message, "refuse", { code: "invalid_request", reason: content });
      return;
    }
    try {
      this.#reply(message, "inform", this.#perform(message.sender ?? "", content));
    } catch (error) {
      const code = (error as { code?: string }).code ?? "invalid_request";
      this.#reply(message, "refuse", { code, reason: (error as Error).message });
    }
  }

  #perform(sender: string, content: Record<string, unknown>): Record<string, unknown> {
    const { action, ...rest } = content;
    switch (action) {
      case "search":
        return { providers: this.#index.search(parseSearch(rest as RawSearch)) };
      case "register": {
        this.#mustBeAgent(sender, "register");
        const parsed = parseCapability(rest.capability);
        if (typeof parsed === "string") throw new InvalidSearchError(parsed);
        this.#agents.declareCapability(sender, parsed);
        return { registered: parsed.name };
      }
      case "deregister": {
        this.#mustBeAgent(sender, "deregister");
        if (typeof rest.name !== "string") {
          throw new InvalidSearchError("deregister needs the capability's name");
        }
        if (!this.#agents.withdrawCapability(sender, rest.name)) {
          throw Object.assign(
            new Error(`"${sender}" has no capability "${rest.name}" to deregister`),
            { code: "not_registered" },
          );
        }
        return { deregistered: rest.name };
      }
      default:
        throw new InvalidSearchError(
          `unknown action ${JSON.stringify(action)}; use "search", "register" or "deregister"`,
        );
    }
  }

  #mustBeAgent(sender: string, action: string): void {
    if (!this.#agents.has(sender)) {
      throw Object.assign(
        new Error(`only agents of this node can ${action} capabilities, not "${sender}"`),
        { code: "not_an_agent" },
      );
    }
  }

  #reply(request: AclMessage, performative: Performative, content: unknown): void {
    if (!request.sender) return;
    const reply: AclMessage = {
      performative,
      sender: DF_ADDRESS,
      receiver: [request.sender],
      content,
      language: "json",
      ontology: DF_ONTOLOGY,
    };
    if (request.conversationId) reply.conversationId = request.conversationId;
    if (request.replyWith) reply.inReplyTo = request.replyWith;
    if (request.protocol) reply.protocol = request.protocol;
    this.#router.route(reply);
  }
}

/** The request's content as an object with an action, or why not. */
function _content(content: unknown): Record<string, unknown> | string {
  let value = content;
  if (typeof content === "string") {
    try {
      value = JSON.parse(content);
    } catch {
      return 'the content is not JSON; send {"action": "search" | "register" | "deregister", …}';
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return 'the content must be a JSON object with an "action"';
  }
  return value as Record<string, unknown>;
}
