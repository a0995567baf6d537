/** The outside participants of a node, by name, attached to its router. */
import type { Router } from "../router/mod.ts";
import type { ParticipantRepository } from "../store/mod.ts";
import { AddressGuard, type WebhookAddressPolicy } from "./address_guard.ts";
import type { BreakerBoard } from "../resilience/mod.ts";
import {
  InvalidParticipantError,
  ParticipantNotFoundError,
  WebhookAddressRefusedError,
} from "./errors.ts";
import { Participant, type ParticipantOptions } from "./participant.ts";

const _NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** How long registration waits for DNS before accepting a webhook name it cannot check yet. */
const _REGISTRATION_DNS_MS = 2_000;

/** A participant's public view. */
export interface ParticipantView {
  name: string;
  address: string;
  delivery: "webhook" | "stream" | "poll";
  webhook: string | null;
  queued: number;
  received: number;
  sent: number;
}

/** Registers, finds and removes outside participants. */
export class ParticipantHub {
  readonly #router: Router;
  readonly #saved: ParticipantRepository | null;
  readonly #byName = new Map<string, { participant: Participant; registration: Disposable }>();
  readonly #guard: AddressGuard;
  readonly #breakers: BreakerBoard | null;

  /**
   * With `saved`, registrations are persisted and {@linkcode restore} brings
   * them back. `webhooks` says which internal addresses webhooks may reach
   * (none by default).
   */
  constructor(
    router: Router,
    saved: ParticipantRepository | null = null,
    options: { webhooks?: WebhookAddressPolicy; breakers?: BreakerBoard } = {},
  ) {
    this.#breakers = options.breakers ?? null;
    this.#router = router;
    this.#saved = saved;
    this.#guard = new AddressGuard(options.webhooks);
  }

  /** Registers again everyone saved before the last stop. Returns how many. */
  restore(): number {
    const records = this.#saved?.list() ?? [];
    for (const { name, options } of records) this.#attach(name, options as ParticipantOptions);
    return records.length;
  }

  /** Registers `ext:<name>`, or replaces how an existing one is reached. */
  async register(name: string, options: ParticipantOptions = {}): Promise<Participant> {
    if (!_NAME.test(name)) {
      throw new InvalidParticipantError(
        `Cannot register participant "${name}": names are 1-63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit (the address becomes "ext:${name}")`,
      );
    }
    if (options.webhook) {
      let url: URL;
      try {
        url = new URL(options.webhook.url);
      } catch {
        url = new URL("invalid:");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new InvalidParticipantError(
          `Cannot register participant "${name}": webhook "${options.webhook.url}" is not an http(s) URL`,
        );
      }
      await this.#checkWebhook(url);
    }
    const previous = this.#byName.get(name);
    const queued = previous ? previous.participant.drop() : [];
    if (previous) await this.#unregister(name);
    this.#saved?.put(name, { ...options });
    const participant = this.#attach(name, options);
    for (const message of queued) participant.receive(message);
    return participant;
  }

  /**
   * Refuses a webhook whose host is, or resolves to, an address the guard
   * does not allow. A name that does not resolve yet is accepted: each
   * delivery resolves and checks again.
   */
  async #checkWebhook(url: URL): Promise<void> {
    try {
      await this.#guard.addressesFor(url, AbortSignal.timeout(_REGISTRATION_DNS_MS));
    } catch (error) {
      if (error instanceof WebhookAddressRefusedError) throw error;
    }
  }

  #attach(name: string, options: ParticipantOptions): Participant {
    const address = `ext:${name}`;
    const participant = new Participant(address, {
      route: (m) => this.#router.route(m),
      giveUp: (m, receiver, why) => this.#router.fail(m, receiver, why.code, why.reason),
      guard: this.#guard,
      ...(this.#breakers ? { breaker: this.#breakers.breaker(`webhook:${address}`) } : {}),
    }, options);
    const registration = this.#router.registerExternal(
      address,
      (m) => participant.receive(m),
    );
    this.#byName.set(name, { participant, registration });
    return participant;
  }

  /** The participant `name` (without `ext:`). */
  get(name: string): Participant {
    const entry = this.#byName.get(name.replace(/^ext:/, ""));
    if (!entry) throw new ParticipantNotFoundError(name);
    return entry.participant;
  }

  list(): ParticipantView[] {
    return [...this.#byName.keys()].map((name) => this.view(name));
  }

  view(name: string): ParticipantView {
    const p = this.get(name);
    return {
      name: p.name.slice(4),
      address: p.name,
      delivery: p.webhook ? "webhook" : p.subscribers > 0 ? "stream" : "poll",
      webhook: p.webhook?.options.url ?? null,
      queued: p.queued,
      received: p.received,
      sent: p.sent,
    };
  }

  /** Unregisters; messages still queued are answered to their senders with failure. */
  async remove(name: string): Promise<void> {
    // By its registered name: `name` may carry the `ext:` prefix (found by fuzzing, issue 13).
    const registered = this.get(name).name.slice(4);
    this.#saved?.remove(registered);
    await this.#unregister(registered, "the participant was removed");
  }

  async #unregister(name: string, reason?: string): Promise<void> {
    const entry = this.#byName.get(name)!;
    this.#byName.delete(name);
    entry.registration[Symbol.dispose]();
    await entry.participant.close();
    if (reason === undefined) return;
    for (const message of entry.participant.drop()) {
      this.#router.fail(message, entry.participant.name, "agent_unavailable", reason);
    }
  }

  /** Unregisters everyone. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#byName.keys()].map((name) => this.#unregister(name, "the node shut down")),
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
