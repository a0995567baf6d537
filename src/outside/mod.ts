/**
 * @module
 * How outside programs take part: participants `ext:<name>` reached by
 * webhook, stream or long poll; agents as services (request → reply, jobs);
 * a count of the deliveries the router logs, for metrics.
 */
export { ParticipantHub } from "./participants.ts";
export type { ParticipantView } from "./participants.ts";
export { Participant } from "./participant.ts";
export type { ParticipantOptions } from "./participant.ts";
export type { GiveUp, WebhookOptions } from "./webhook.ts";
export { AddressGuard, classifyAddress } from "./address_guard.ts";
export type { AddressClass, WebhookAddressPolicy } from "./address_guard.ts";
export { RequestBroker } from "./broker.ts";
export type { RequestOptions } from "./broker.ts";
export { JobRunner } from "./jobs.ts";
export { DeliveryCounter } from "./delivery_counter.ts";
export {
  ClosedError,
  DeliveryRefusedError,
  InvalidParticipantError,
  JobNotFoundError,
  ParticipantNotFoundError,
  RequestTimeoutError,
  WebhookAddressRefusedError,
} from "./errors.ts";
